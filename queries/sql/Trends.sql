-- The overview measures of each referral quarter's cohort: referrals,
-- conversion, completion, follow-up rate and coding completeness, with
-- what is needed to tell whether each is still provisional. Loaded
-- quarters with no referrals appear with zeros. The caller passes as $from
-- the quarter before the first one shown, so that the first has a change.
--   $from ... $channel  the global filter (queries.Filter)
--   $conversion_window_days  days after referral (180)
WITH per_quarter AS (
    SELECT quarter,
           count(*) AS referrals,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND converted) AS converted,
           count(*) FILTER (WHERE eligible AND completed) AS completed,
           count(*) FILTER (WHERE non_attender AND followup_due) AS followup_due,
           count(*) FILTER (WHERE non_attender AND followup_due AND followed_up_in_window) AS followed_up,
           -- Non-attenders notified less than the follow-up window ago: they
           -- will join the rate, so it may still change. Those the practice
           -- was never notified about are not in the rate at all (it starts
           -- at notification; FollowUp reports them as not yet notified), so
           -- they must not hold a cohort provisional for ever.
           count(*) FILTER (WHERE non_attender AND notified_date IS NOT NULL AND NOT followup_due) AS followup_pending
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    GROUP BY quarter
),
coding AS (
    SELECT quarter,
           count(*) FILTER (WHERE coding_due) AS coding_due,
           count(*) FILTER (WHERE coding_due AND coded) AS coded,
           count(*) FILTER (WHERE NOT coding_due) AS coding_pending
    FROM filtered_outcomes($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
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
