-- Demand for Store.Capacity: by referral quarter, preferred slot, language
-- and preferred mode ("no preference" included for both), the eligible
-- referrals whose unmet-demand window has passed and how many of them were
-- not booked on a course starting inside it (as UnmetDemand counted them).
-- Every loaded quarter in the range appears, with its final flag (the
-- window of its last day's referrals has passed); a quarter with no such
-- referrals has one row with NULL slot. Capacity is planned for the whole
-- borough: the network, practice, referrer and channel filters do not
-- apply.
--   $from, $to, $mode, $language  the filter's quarters, mode and language
--   $unmet_window_days            days after referral (90)
WITH per_cell AS (
    SELECT quarter, preferred_slot AS slot, language, preferred_mode AS mode,
           count(*) FILTER (WHERE unmet_final) AS window_passed,
           count(*) FILTER (WHERE unmet_final AND NOT booked_in_unmet_window) AS unmet
    FROM filtered_referrals($from, $to, '', '', $mode, $language, '', '')
    WHERE eligible
    GROUP BY quarter, preferred_slot, language, preferred_mode
)
SELECT q.quarter, NOT q.provisional AS final, c.slot, c.language, c.mode,
       coalesce(c.window_passed, 0), coalesce(c.unmet, 0)
FROM cohorts($from, $to, $unmet_window_days) q
LEFT JOIN per_cell c USING (quarter)
ORDER BY q.quarter, c.slot, c.language, c.mode;
