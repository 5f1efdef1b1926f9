-- coding_counts: what CodingCompleteness and Trends count of the provider
-- outcomes, per practice, referral quarter and outcome category
-- (coding_tally in filter_macros.sql, under no filter), so that coding
-- without a filter on the referrals' own attributes (mode, language,
-- referrer, channel) adds up a few hundred thousand rows at England scale
-- instead of reading 1.6M outcomes. Derived state, rebuilt whole by
-- Store.Refresh after outcome_facts and the filter macros, incremental or
-- not. CodingCompleteness.sql and Trends.sql count from the outcomes when
-- such a filter is set; TestKeptCountsEqualReferrals holds the two equal.
CREATE OR REPLACE TABLE coding_counts AS
SELECT * FROM coding_tally('', '', '', '', '', '', '', '')
-- In practice order, so that one practice's rows are found without reading
-- the rest (the practice page asks for one).
ORDER BY practice_code, quarter;
