-- Demand for Store.Capacity: by referral quarter, preferred slot, language
-- and preferred mode ("no preference" included for both), the eligible
-- referrals whose unmet-demand window has passed without a booking on a
-- course starting inside it (unmet_final and not booked_in_unmet_window,
-- as docs/indicators.md defines them). Only those rows are grouped, a
-- fifth or so of all referrals. Every loaded quarter in the range appears,
-- with its final flag (the window of its last day's referrals has
-- passed); a quarter with nobody waiting has one row with NULL slot.
-- Capacity is planned for the whole borough: the network, practice,
-- referrer and channel filters do not apply.
--   $from, $to, $mode, $language  the filter's quarters, mode and language
--   $unmet_window_days            days after referral (90)
WITH per_cell AS (
    SELECT quarter, preferred_slot AS slot, language, preferred_mode AS mode, count(*) AS unmet
    FROM filtered_referrals($from, $to, '', '', $mode, $language, '', '')
    WHERE eligible AND unmet_final AND NOT booked_in_unmet_window
    GROUP BY quarter, preferred_slot, language, preferred_mode
)
SELECT q.quarter, NOT q.provisional AS final, c.slot, c.language, c.mode, coalesce(c.unmet, 0)
FROM cohorts($from, $to, $unmet_window_days) q
LEFT JOIN per_cell c USING (quarter)
ORDER BY q.quarter, c.slot, c.language, c.mode;
