-- Conversion and completion of each referral quarter's cohort, including
-- loaded quarters with no referrals (they appear with zeros), and whether
-- the cohort's conversion window has closed.
--   $1..$8  the global filter (queries.Filter)
--   $9      conversion window, days after referral (180)
WITH as_of AS (
    SELECT quarter_end(max(quarter)) AS as_of FROM loads
),
quarter_list AS (
    SELECT DISTINCT quarter FROM loads
    WHERE ($1 = '' OR quarter >= $1) AND ($2 = '' OR quarter <= $2)
),
per_quarter AS (
    SELECT quarter,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND converted) AS converted,
           count(*) FILTER (WHERE eligible AND completed) AS completed
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    GROUP BY quarter
)
SELECT q.quarter,
       -- Provisional until the window of the quarter's last possible
       -- referral (made on its last day) has passed.
       quarter_end(q.quarter) + CAST($9 AS INTEGER) > a.as_of AS provisional,
       coalesce(p.eligible, 0), coalesce(p.converted, 0), coalesce(p.completed, 0)
FROM quarter_list q
CROSS JOIN as_of a
LEFT JOIN per_quarter p USING (quarter)
ORDER BY q.quarter;
