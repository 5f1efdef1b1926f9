-- A practice's coding work list: provider outcomes notified to the practice
-- with no matching GP code for that patient at any date since the
-- referral. An outcome coded after its window stays uncoded in the rate but
-- leaves the list: the record is right now. Open items (window not yet
-- passed) come first, fewest days left first; then overdue items, longest
-- overdue first. "Now" is as_of, the last day the loaded data cover.
--   $practice              practice code
--   $coding_window_days    days after the practice is notified (90)
--   $attended_codes        GP codes that record attendance or completion (VARCHAR[])
--   $did_not_attend_codes  GP codes that record did not attend (VARCHAR[])
--   $declined_codes        GP codes that record declined or no response (VARCHAR[])
WITH codes AS (
    SELECT 'attended' AS category, unnest(CAST($attended_codes AS VARCHAR[])) AS code
    UNION ALL SELECT 'did not attend', unnest(CAST($did_not_attend_codes AS VARCHAR[]))
    UNION ALL SELECT 'declined', unnest(CAST($declined_codes AS VARCHAR[]))
),
uncoded AS (
    SELECT * FROM outcome_facts WHERE practice_code = $practice AND NOT coded
),
coded_late AS (
    SELECT DISTINCT u.referral_id, u.outcome_date
    FROM uncoded u
    JOIN gp_codes g
      ON g.practice_code = u.practice_code AND g.patient_id = u.patient_id
     AND g.code_date >= u.referral_date
    JOIN codes c ON c.code = g.code AND c.category = u.code_category
)
SELECT u.referral_id, u.patient_id, u.outcome, u.code_category, u.outcome_date, u.notified_date,
       CAST(u.as_of - u.notified_date AS INTEGER) AS days_since_notified,
       CAST(u.notified_date + CAST($coding_window_days AS INTEGER) AS DATE) AS deadline,
       u.coding_due AS overdue,
       u.as_of
FROM uncoded u
ANTI JOIN coded_late l USING (referral_id, outcome_date)
ORDER BY overdue, deadline, u.referral_id, u.outcome_date;
