-- A practice's follow-up work list: its eligible non-attenders the practice
-- has been told about, with no follow-up recorded on or after the
-- non-attendance outcome (first_followup_date, as the rate counts them) and
-- no attendance since. Open tasks (deadline not yet passed) come first, fewest days left
-- first; then overdue tasks, longest overdue first. "Now" is as_of, the
-- last day the loaded data cover.
--   $practice              practice code
--   $followup_window_days  days after the practice is notified (28)
SELECT referral_id, patient_id, referral_date, nonattend_outcome, nonattend_date, notified_date,
       CAST(as_of - notified_date AS INTEGER) AS days_since_notified,
       CAST(notified_date + CAST($followup_window_days AS INTEGER) AS DATE) AS deadline,
       followup_due AS overdue,
       as_of
FROM referral_facts
WHERE practice_code = $practice
  AND non_attender
  AND notified_date IS NOT NULL
  AND first_followup_date IS NULL
  AND NOT re_engaged
ORDER BY overdue, deadline, referral_id;
