-- Unmet demand by referral quarter and preferred slot: eligible referrals
-- whose unmet-demand window has passed (unmet_final) and how many of them
-- were not booked on a course starting inside it (booked_in_unmet_window).
-- Every loaded quarter in the filter's range appears with every slot.
-- A quarter is final when the window of its last referral day has passed.
--   $from ... $channel  the global filter (queries.Filter)
--   $unmet_window_days  days after referral (90)
WITH slot_list(position, slot) AS (
    VALUES (1, 'weekday daytime'), (2, 'weekday evening'), (3, 'weekend'), (4, 'no preference')
),
per_cell AS (
    SELECT quarter, preferred_slot AS slot,
           count(*) FILTER (WHERE unmet_final) AS window_passed,
           count(*) FILTER (WHERE unmet_final AND NOT booked_in_unmet_window) AS unmet
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE eligible
    GROUP BY quarter, preferred_slot
)
SELECT q.quarter, s.slot, NOT q.provisional AS final,
       coalesce(c.window_passed, 0), coalesce(c.unmet, 0)
FROM cohorts($from, $to, $unmet_window_days) q
CROSS JOIN slot_list s
LEFT JOIN per_cell c ON c.quarter = q.quarter AND c.slot = s.slot
ORDER BY q.quarter, s.position;
