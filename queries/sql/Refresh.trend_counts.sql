-- trend_counts: what Trends counts of the referrals, per practice and
-- referral quarter (trend_tally in filter_macros.sql, under no filter), so
-- that the overview's quarters and a practice's trends without a filter on
-- the referrals' own attributes (mode, language, referrer, channel) add up
-- about 130,000 rows at England scale instead of reading 1.8M referrals.
-- Derived state, rebuilt whole by Store.Refresh after referral_facts and
-- the filter macros, incremental or not. Trends.sql counts from the
-- referrals when such a filter is set; TestKeptCountsEqualReferrals holds
-- the two equal.
CREATE OR REPLACE TABLE trend_counts AS
SELECT * FROM trend_tally('', '', '', '', '', '', '', '')
-- In practice order, so that one practice's rows are found without reading
-- the rest (the practice page asks for one).
ORDER BY practice_code, quarter;
