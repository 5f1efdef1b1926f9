-- The overview measures of each referral quarter's cohort: referrals,
-- conversion, completion, follow-up rate and coding completeness, with
-- what is needed to tell whether each is still provisional. Loaded
-- quarters with no referrals appear with zeros. The caller passes as $from
-- the quarter before the first one shown, so that the first has a change.
-- What each count is is defined once, in trend_tally and coding_tally
-- (filter_macros.sql).
--   $from ... $channel  the global filter (queries.Filter)
--   $conversion_window_days  days after referral (180)
--   $kept  true to add up trend_counts and coding_counts (no filter on
--          the referrals' own attributes: mode, language, referrer,
--          channel), false to count from the referrals and outcomes
WITH referral_tallies AS (
    SELECT * FROM trend_counts
    WHERE $kept AND in_quarters(quarter, $from, $to) AND is_chosen(pcn, $pcn) AND is_chosen(practice_code, $practice)
    UNION ALL
    SELECT * FROM trend_tally($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE NOT $kept
),
per_quarter AS (
    SELECT quarter,
           CAST(sum(referrals) AS BIGINT) AS referrals,
           CAST(sum(eligible) AS BIGINT) AS eligible,
           CAST(sum(converted) AS BIGINT) AS converted,
           CAST(sum(completed) AS BIGINT) AS completed,
           CAST(sum(followup_due) AS BIGINT) AS followup_due,
           CAST(sum(followed_up) AS BIGINT) AS followed_up,
           CAST(sum(followup_pending) AS BIGINT) AS followup_pending
    FROM referral_tallies
    GROUP BY quarter
),
coding_tallies AS (
    SELECT * FROM coding_counts
    WHERE $kept AND in_quarters(quarter, $from, $to) AND is_chosen(pcn, $pcn) AND is_chosen(practice_code, $practice)
    UNION ALL
    SELECT * FROM coding_tally($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE NOT $kept
),
coding AS (
    SELECT quarter,
           CAST(sum(due) AS BIGINT) AS coding_due,
           CAST(sum(coded_in_window) AS BIGINT) AS coded,
           CAST(sum(inside_window) AS BIGINT) AS coding_pending
    FROM coding_tallies
    GROUP BY quarter
)
SELECT q.quarter, q.provisional AS cohort_provisional,
       coalesce(p.referrals, 0), coalesce(p.eligible, 0), coalesce(p.converted, 0),
       coalesce(p.completed, 0), coalesce(p.followup_due, 0), coalesce(p.followed_up, 0),
       coalesce(p.followup_pending, 0),
       coalesce(c.coding_due, 0), coalesce(c.coded, 0), coalesce(c.coding_pending, 0)
FROM cohorts($from, $to, $conversion_window_days) q
LEFT JOIN per_quarter p USING (quarter)
LEFT JOIN coding c USING (quarter)
ORDER BY q.quarter;
