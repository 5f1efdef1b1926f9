-- Conversion and completion of each referral quarter's cohort, including
-- loaded quarters with no referrals (they appear with zeros), and whether
-- the cohort's conversion window has closed.
--   $from ... $channel  the global filter (queries.Filter)
--   $conversion_window_days  days after referral (180)
WITH per_quarter AS (
    SELECT quarter,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND converted) AS converted,
           count(*) FILTER (WHERE eligible AND completed) AS completed
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    GROUP BY quarter
)
SELECT c.quarter, c.provisional,
       coalesce(p.eligible, 0), coalesce(p.converted, 0), coalesce(p.completed, 0)
FROM cohorts($from, $to, $conversion_window_days) c
LEFT JOIN per_quarter p USING (quarter)
ORDER BY c.quarter;
