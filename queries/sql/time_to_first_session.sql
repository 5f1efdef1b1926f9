-- How many days from referral to the first attended session, for eligible
-- referrals that converted (first attended within the conversion window):
-- median and 90th percentile per referral quarter, and over the whole
-- range (the row whose quarter is NULL, returned first). quantile_cont
-- interpolates linearly between the two nearest people (R type 7, Excel
-- PERCENTILE.INC), so a median of an even number of people is the mean of
-- the middle two.
--   $1..$8  the global filter (queries.Filter)
--   $9      conversion window, days after referral (180)
WITH as_of AS (
    SELECT quarter_end(max(quarter)) AS as_of FROM loads
),
quarter_list AS (
    SELECT DISTINCT quarter FROM loads
    WHERE ($1 = '' OR quarter >= $1) AND ($2 = '' OR quarter <= $2)
),
starters AS (
    SELECT quarter, days_to_first_session AS days
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    WHERE eligible AND converted
),
waits AS (
    SELECT quarter, count(*) AS people,
           quantile_cont(days, 0.5) AS median_days,
           quantile_cont(days, 0.9) AS p90_days
    FROM starters
    GROUP BY GROUPING SETS ((quarter), ())
),
rows AS (
    SELECT quarter, quarter_end(quarter) + CAST($9 AS INTEGER) > a.as_of AS provisional
    FROM quarter_list, as_of a
    UNION ALL
    -- The whole range is provisional when any quarter in it is.
    SELECT NULL, coalesce(bool_or(quarter_end(quarter) + CAST($9 AS INTEGER) > a.as_of), false)
    FROM quarter_list, as_of a
)
SELECT r.quarter, r.provisional, coalesce(w.people, 0), w.median_days, w.p90_days
FROM rows r
LEFT JOIN waits w ON w.quarter IS NOT DISTINCT FROM r.quarter
ORDER BY r.quarter NULLS FIRST;
