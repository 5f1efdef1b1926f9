-- Unmet demand by referral quarter and preferred slot: eligible referrals
-- whose unmet-demand window has passed (unmet_final) and how many of them
-- were not booked on a course starting inside it (booked_in_unmet_window).
-- Every loaded quarter in the filter's range appears with every slot.
-- A quarter is final when the window of its last referral day has passed.
--   $1..$8  the global filter (queries.Filter)
--   $9      unmet-demand window, days after referral (90)
WITH quarter_list AS (
    SELECT DISTINCT quarter FROM loads
    WHERE ($1 = '' OR quarter >= $1) AND ($2 = '' OR quarter <= $2)
),
slot_list(position, slot) AS (
    VALUES (1, 'weekday daytime'), (2, 'weekday evening'), (3, 'weekend'), (4, 'no preference')
),
bounds AS (
    SELECT quarter_end(max(quarter)) AS as_of FROM loads
),
per_cell AS (
    SELECT quarter, preferred_slot AS slot,
           count(*) FILTER (WHERE unmet_final) AS window_passed,
           count(*) FILTER (WHERE unmet_final AND NOT booked_in_unmet_window) AS unmet
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    WHERE eligible
    GROUP BY quarter, preferred_slot
)
SELECT q.quarter, s.slot,
       (quarter_end(q.quarter) + CAST($9 AS INTEGER) <= b.as_of) AS final,
       coalesce(c.window_passed, 0), coalesce(c.unmet, 0)
FROM quarter_list q
CROSS JOIN slot_list s
CROSS JOIN bounds b
LEFT JOIN per_cell c ON c.quarter = q.quarter AND c.slot = s.slot
ORDER BY q.quarter, s.position;
