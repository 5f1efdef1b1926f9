-- The people whose outcome the provider notified to a practice in one
-- quarter, for the practice's quarterly list: each outcome with its dates
-- and the GP code for that patient, if any, that already records it (a
-- code of the outcome's category dated on or after the referral, however
-- late: the record is right now). queries.NotifiedOutcomes adds the code
-- to enter from the configuration. Ineligible outcomes are never notified
-- for coding (outcome_facts leaves them out).
--   $practice              practice code
--   $quarter               the quarter the practice was notified in, e.g. 2026Q2
--   $attended_codes        GP codes that record attendance or completion (VARCHAR[])
--   $did_not_attend_codes  GP codes that record did not attend (VARCHAR[])
--   $declined_codes        GP codes that record declined or no response (VARCHAR[])
WITH codes AS (
    SELECT 'attended' AS category, unnest(CAST($attended_codes AS VARCHAR[])) AS code
    UNION ALL SELECT 'did not attend', unnest(CAST($did_not_attend_codes AS VARCHAR[]))
    UNION ALL SELECT 'declined', unnest(CAST($declined_codes AS VARCHAR[]))
),
notified AS (
    SELECT referral_id, patient_id, practice_code, referral_date, outcome, code_category,
           outcome_date, notified_date
    FROM outcome_facts
    WHERE practice_code = $practice
      AND notified_date BETWEEN quarter_start($quarter) AND quarter_end($quarter)
),
-- The first matching code; two on the same day name the lowest, so the
-- answer does not depend on the order of rows.
recorded AS (
    SELECT n.referral_id, n.outcome_date, min(g.code_date) AS code_date,
           arg_min(g.code, {'d': g.code_date, 'c': g.code}) AS code
    FROM notified n
    JOIN gp_codes g
      ON g.practice_code = n.practice_code AND g.patient_id = n.patient_id
     AND g.code_date >= n.referral_date
    JOIN codes c ON c.code = g.code AND c.category = n.code_category
    GROUP BY n.referral_id, n.outcome_date
)
SELECT n.referral_id, n.patient_id, n.referral_date, n.outcome, n.code_category,
       n.outcome_date, n.notified_date, r.code, r.code_date
FROM notified n
LEFT JOIN recorded r USING (referral_id, outcome_date)
ORDER BY CASE n.outcome WHEN 'completed' THEN 1 WHEN 'attended' THEN 2 WHEN 'did not attend' THEN 3
                        WHEN 'declined' THEN 4 ELSE 5 END,
         n.notified_date, n.referral_id, n.outcome_date;
