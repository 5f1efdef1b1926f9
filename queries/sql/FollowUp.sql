-- Eligible non-attenders and their follow-up, one row per practice and one
-- per referral quarter (by_practice says which, key names it).
-- queries.FollowUp adds practices up for the borough and lists practices
-- and quarters with none. The stages of follow-up and what each column
-- counts are defined once, in followup_tally (filter_macros.sql).
--   $from ... $channel  the global filter (queries.Filter)
--   $kept  true to add up followup_counts (no filter on the referrals' own
--          attributes: mode, language, referrer, channel), false to count
--          from the referrals themselves
WITH per_practice_quarter AS (
    SELECT * EXCLUDE (pcn) FROM followup_counts
    WHERE $kept AND in_quarters(quarter, $from, $to) AND is_chosen(pcn, $pcn) AND is_chosen(practice_code, $practice)
    UNION ALL
    SELECT * EXCLUDE (pcn) FROM followup_tally($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE NOT $kept
)
SELECT grouping(practice_code) = 0 AS by_practice,
       coalesce(practice_code, quarter) AS key,
       CAST(sum(non_attenders) AS BIGINT) AS non_attenders,
       CAST(sum(not_yet_due) AS BIGINT) AS not_yet_due,
       CAST(sum(followed_up_in_time) AS BIGINT) AS followed_up_in_time,
       CAST(sum(followed_up_by_practice) AS BIGINT) AS followed_up_by_practice,
       CAST(sum(followed_up_by_provider) AS BIGINT) AS followed_up_by_provider,
       CAST(sum(days_0_7) AS BIGINT) AS days_0_7,
       CAST(sum(days_8_14) AS BIGINT) AS days_8_14,
       CAST(sum(days_15_21) AS BIGINT) AS days_15_21,
       CAST(sum(days_22_28) AS BIGINT) AS days_22_28,
       CAST(sum(days_29_42) AS BIGINT) AS days_29_42,
       CAST(sum(days_43_plus) AS BIGINT) AS days_43_plus,
       CAST(sum(never) AS BIGINT) AS never,
       CAST(sum(re_engaged_followed_up) AS BIGINT) AS re_engaged_followed_up,
       CAST(sum(re_engaged_not_followed_up) AS BIGINT) AS re_engaged_not_followed_up
FROM per_practice_quarter
GROUP BY GROUPING SETS ((practice_code), (quarter));
