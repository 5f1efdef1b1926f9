-- outcome_facts: one row per provider outcome notified to a practice, with
-- whether the practice coded it. Derived state, rebuilt by Store.Refresh
-- after referral_facts. Definitions: docs/indicators.md.
--   $1  coding window, days after the practice is notified (90)
--   $2  GP codes that record attendance or completion (VARCHAR[])
--   $3  GP codes that record did not attend (VARCHAR[])
--   $4  GP codes that record declined or no response (VARCHAR[])
CREATE OR REPLACE TABLE outcome_facts AS
WITH codes AS (
    SELECT 'attended' AS category, unnest(CAST($2 AS VARCHAR[])) AS code
    UNION ALL SELECT 'did not attend', unnest(CAST($3 AS VARCHAR[]))
    UNION ALL SELECT 'declined', unnest(CAST($4 AS VARCHAR[]))
),
notified AS (
    SELECT o.referral_id, o.outcome, o.outcome_date, o.practice_notified_date AS notified_date,
           CASE o.outcome WHEN 'completed' THEN 'attended'
                          WHEN 'attended' THEN 'attended'
                          WHEN 'did not attend' THEN 'did not attend'
                          ELSE 'declined' END AS code_category,
           -- the referral's own notified_date is its non-attendance notice: not this outcome's
           r.* EXCLUDE (referral_id, notified_date)
    FROM outcomes o JOIN referral_facts r USING (referral_id)
    WHERE o.practice_notified_date IS NOT NULL AND o.outcome <> 'ineligible'
),
-- The first matching code for the same patient at the same practice,
-- from the referral date until the coding window closes.
matched AS (
    SELECT n.referral_id, n.outcome_date, min(g.code_date) AS coded_date,
           arg_min(g.code, g.code_date) AS code
    FROM notified n
    JOIN gp_codes g
      ON g.practice_code = n.practice_code AND g.patient_id = n.patient_id
     AND g.code_date >= n.referral_date
     AND g.code_date <= n.notified_date + CAST($1 AS INTEGER)
    JOIN codes c ON c.code = g.code AND c.category = n.code_category
    GROUP BY n.referral_id, n.outcome_date
)
SELECT n.*,
       m.coded_date, m.code AS matched_code,
       (m.coded_date IS NOT NULL) AS coded,
       -- Only outcomes whose whole coding window has passed count in the rate;
       -- newer ones still appear on the practice's work list.
       (n.notified_date + CAST($1 AS INTEGER) <= n.as_of) AS coding_due
FROM notified n
LEFT JOIN matched m USING (referral_id, outcome_date)
ORDER BY n.practice_code, n.notified_date;
