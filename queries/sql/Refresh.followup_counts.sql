-- followup_counts: what FollowUp counts, per practice and referral
-- quarter (followup_tally in filter_macros.sql, under no filter), so that
-- follow-up without a filter on the referrals' own attributes (mode,
-- language, referrer, channel) adds up about 130,000 rows at England scale
-- instead of reading 755,000 non-attenders, which was most of its time.
-- Derived state, rebuilt whole by Store.Refresh after referral_facts and
-- the filter macros, incremental or not. FollowUp.sql counts from the
-- referrals when such a filter is set; TestKeptCountsEqualReferrals holds
-- the two equal.
CREATE OR REPLACE TABLE followup_counts AS
SELECT * FROM followup_tally('', '', '', '', '', '', '', '')
-- In practice order, so that one practice's rows are found without reading
-- the rest (the practice page asks for one).
ORDER BY practice_code, quarter;
