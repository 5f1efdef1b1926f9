-- How many days from referral to the first attended session, for eligible
-- referrals that converted (first attended within the conversion window),
-- as counts of people per referral quarter and whole number of days, with
-- whether each quarter's cohort is provisional. queries.TimeToFirstSession
-- works the median and 90th percentile out of these counts exactly as
-- quantile_cont would out of the people (linear interpolation between the
-- two nearest people: R type 7, Excel PERCENTILE.INC), per quarter and over
-- the whole range, without sorting a million rows. A quarter with no
-- starters comes back once with days NULL and 0 people.
--   $1..$8  the global filter (queries.Filter)
--   $9      conversion window, days after referral (180)
WITH as_of AS (
    SELECT quarter_end(max(quarter)) AS as_of FROM loads
),
quarter_list AS (
    SELECT DISTINCT quarter FROM loads
    WHERE ($1 = '' OR quarter >= $1) AND ($2 = '' OR quarter <= $2)
),
waits AS (
    SELECT quarter, days_to_first_session AS days, count(*) AS people
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    WHERE eligible AND converted
    GROUP BY quarter, days_to_first_session
)
SELECT q.quarter,
       quarter_end(q.quarter) + CAST($9 AS INTEGER) > a.as_of AS provisional,
       w.days, coalesce(w.people, 0) AS people
FROM quarter_list q
CROSS JOIN as_of a
LEFT JOIN waits w USING (quarter)
ORDER BY q.quarter, w.days;
