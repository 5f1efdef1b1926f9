-- outcome_facts: one row per provider outcome notified to a practice, with
-- whether the practice coded it. Derived state, built by Store.Refresh
-- after referral_facts, in full or for the referrals a load touched
-- (refresh_notified_outcomes: Refresh.scope_all.sql, Refresh.scope.sql).
-- Definitions: docs/indicators.md.
--   $coding_window_days    days after the practice is notified (90)
--   $attended_codes        GP codes that record attendance or completion (VARCHAR[])
--   $did_not_attend_codes  GP codes that record did not attend (VARCHAR[])
--   $declined_codes        GP codes that record declined or no response (VARCHAR[])
--
-- Two statements; the parameters belong to the last. The first keeps the
-- notified outcomes, a few narrow columns, in a temporary table, and the
-- second joins the forty columns of referral_facts to them only once, at
-- the end. Why a table rather than a CTE: referral_facts is created in the
-- same transaction, so the planner estimates it empty and builds the
-- join's hash table on it, all forty columns of 1.8M referrals (1.1 s more
-- at England scale, and the memory with it). A table created in this
-- transaction is estimated empty too, and between two such the planner
-- keeps the order written: it builds on the right-hand side, the outcomes.
-- Refresh.done.sql drops the table.
CREATE OR REPLACE TEMP TABLE refresh_notified AS
-- The outcome and its category are ENUMs, in byte order, as the
-- categorical fields of referral_facts are (see there why). The outcome's
-- lists every value of the contract, ineligible too, so that the cast
-- cannot fail whatever the WHERE below lets through (the sensitivity test
-- changes it); TestFactsEnumsMatchContract holds both to the contract.
SELECT o.referral_id,
       CAST(o.outcome AS ENUM('attended', 'completed', 'declined', 'did not attend', 'ineligible', 'no response')) AS outcome,
       o.outcome_date, o.practice_notified_date AS notified_date,
       CAST(CASE o.outcome WHEN 'completed' THEN 'attended'
                           WHEN 'attended' THEN 'attended'
                           WHEN 'did not attend' THEN 'did not attend'
                           ELSE 'declined' END
            AS ENUM('attended', 'declined', 'did not attend')) AS code_category
FROM refresh_notified_outcomes o
WHERE o.practice_notified_date IS NOT NULL AND o.outcome <> 'ineligible';

CREATE OR REPLACE TABLE outcome_facts AS
WITH codes AS (
    SELECT 'attended' AS category, unnest(CAST($attended_codes AS VARCHAR[])) AS code
    UNION ALL SELECT 'did not attend', unnest(CAST($did_not_attend_codes AS VARCHAR[]))
    UNION ALL SELECT 'declined', unnest(CAST($declined_codes AS VARCHAR[]))
),
-- The GP codes that record an outcome, with their category.
outcome_codes AS (
    SELECT g.practice_code, g.patient_id, g.code, g.code_date, c.category
    FROM gp_codes g JOIN codes c ON c.code = g.code
),
-- The first matching code for the same patient at the same practice,
-- from the referral date until the coding window closes. Two matching
-- codes can share the first day (9OLB and 9OLF both entered): the lowest
-- code is named, so the answer does not depend on the order of rows.
-- code is never NULL.
matched AS (
    SELECT n.referral_id, n.outcome_date, min(g.code_date) AS coded_date,
           arg_min(g.code, {'d': g.code_date, 'c': g.code}) AS code
    FROM refresh_notified n
    JOIN referral_facts r USING (referral_id)
    JOIN outcome_codes g
      ON g.practice_code = r.practice_code AND g.patient_id = r.patient_id
     AND g.category = n.code_category
     AND g.code_date >= r.referral_date
     AND g.code_date <= n.notified_date + CAST($coding_window_days AS INTEGER)
    GROUP BY n.referral_id, n.outcome_date
)
SELECT n.*,
       -- Only the referral's fields that the coding queries read: the
       -- patient and practice, the fields the filters test (in_filter), and
       -- the as-of date. Copying all of referral_facts here made this table
       -- three times as wide and its build twice as slow at England scale.
       -- (The referral's own notified_date is its non-attendance notice,
       -- not this outcome's: it is not copied.)
       r.patient_id, r.practice_code, r.pcn, r.quarter, r.referral_date,
       r.preferred_mode, r.language, r.referrer, r.channel, r.as_of,
       m.coded_date, m.code AS matched_code,
       (m.coded_date IS NOT NULL) AS coded,
       -- Only outcomes whose whole coding window has passed count in the rate;
       -- newer ones still appear on the practice's work list.
       (n.notified_date + CAST($coding_window_days AS INTEGER) <= r.as_of) AS coding_due
FROM referral_facts r
JOIN refresh_notified n USING (referral_id)
LEFT JOIN matched m USING (referral_id, outcome_date)
-- In practice order, unlike referral_facts: a practice's coding work list
-- and notified outcomes read only its own rows, and then find them in one
-- row group. Unsorted, the build was 2.7 s faster at England scale but
-- CodingWorkList for one practice took 26 ms instead of 16.
ORDER BY r.practice_code, n.notified_date;
