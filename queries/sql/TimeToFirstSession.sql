-- How many days from referral to the first attended session, for eligible
-- referrals that converted (first attended within the conversion window),
-- as counts of people per referral quarter and whole number of days, with
-- whether each quarter's cohort is provisional. queries.TimeToFirstSession
-- works the median and 90th percentile out of these counts exactly as
-- quantile_cont would out of the people (linear interpolation between the
-- two nearest people: R type 7, Excel PERCENTILE.INC), per quarter and over
-- the whole range, without sorting a million rows. A quarter with no
-- starters comes back once with days NULL and 0 people.
--   $from ... $channel  the global filter (queries.Filter)
--   $conversion_window_days  days after referral (180)
WITH waits AS (
    SELECT quarter, days_to_first_session AS days, count(*) AS people
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE eligible AND converted
    GROUP BY quarter, days_to_first_session
)
SELECT q.quarter, q.provisional, w.days, coalesce(w.people, 0) AS people
FROM cohorts($from, $to, $conversion_window_days) q
LEFT JOIN waits w USING (quarter)
ORDER BY q.quarter, w.days;
