-- Days from referral to the start of the first course each eligible
-- referral was booked on (days_to_course_start), as counts of people per
-- whole number of days: by the slot the person preferred ('preferred')
-- and by the slot of the course they were booked on ('booked'); plus, by
-- preferred slot, the eligible referrals not booked yet ('not booked',
-- days NULL), whose wait is still running. queries.WaitsBySlot works the
-- median and 90th percentile out of these counts exactly as quantile_cont
-- would out of the people, without sorting a million rows.
--   $from ... $channel  the global filter (queries.Filter)
-- eligible is read twice; NOT MATERIALIZED scans the table twice rather
-- than copying a million rows into a temporary result, which is slower.
WITH eligible AS NOT MATERIALIZED (
    SELECT preferred_slot, first_course_slot, booked, days_to_course_start AS days
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE eligible
),
-- The booked course's slot is in the facts (first_course_slot); a course
-- missing from courses has none, and its people are left out, as a join
-- on the course would leave them.
booked_waits AS (
    SELECT preferred_slot, first_course_slot AS booked_slot, days
    FROM eligible
    WHERE booked AND first_course_slot IS NOT NULL
)
SELECT CASE WHEN grouping(preferred_slot) = 0 THEN 'preferred' ELSE 'booked' END AS by_slot,
       coalesce(preferred_slot, booked_slot) AS slot, days, count(*) AS people
FROM booked_waits
GROUP BY GROUPING SETS ((preferred_slot, days), (booked_slot, days))
UNION ALL
SELECT 'not booked', preferred_slot, NULL, count(*)
FROM eligible
WHERE NOT booked
GROUP BY preferred_slot
ORDER BY by_slot, slot, days;
