-- How many referrals reach each stage of the pathway: referred, eligible,
-- booked, started (attended a session within the conversion window) and
-- completed. Each stage is a subset of the one before. Also: how many
-- referrals are in cohorts whose conversion window has not closed, and
-- which quarters of the range are still maturing.
--   $1..$8  the global filter (queries.Filter)
--   $9      conversion window, days after referral (180)
WITH as_of AS (
    SELECT quarter_end(max(quarter)) AS as_of FROM loads
),
stages AS (
    SELECT count(*) AS referred,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND booked) AS booked,
           count(*) FILTER (WHERE eligible AND converted) AS started,
           count(*) FILTER (WHERE eligible AND completed) AS completed,
           count(*) FILTER (WHERE NOT conversion_final) AS provisional
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
),
maturing AS (
    SELECT string_agg(quarter, ',' ORDER BY quarter) AS quarters
    FROM (SELECT DISTINCT quarter FROM loads
          WHERE ($1 = '' OR quarter >= $1) AND ($2 = '' OR quarter <= $2)) q, as_of a
    WHERE quarter_end(q.quarter) + CAST($9 AS INTEGER) > a.as_of
)
SELECT s.referred, s.eligible, s.booked, s.started, s.completed, s.provisional,
       coalesce(m.quarters, '')
FROM stages s, maturing m;
