-- Provider outcomes notified to practices, by outcome category, by
-- practice and by referral quarter, each counted in one of four states,
-- in one pass; queries.CodingCompleteness turns states into figures and
-- lists practices and quarters with none. Definitions (coded, coding_due,
-- code_category) live in Refresh.outcome_facts.sql.
--   $from ... $channel  the global filter (queries.Filter)
-- state = 2 * coding_due + coded:
--   0 window still open, not coded yet   1 window still open, coded
--   2 window passed, not coded in it     3 window passed, coded in it
-- breakdown: 'category' ('attended' holds attended and completed,
-- 'declined' holds declined and no response), 'practice' or 'quarter'.
WITH states AS (
    SELECT code_category, practice_code, quarter,
           2 * CAST(coding_due AS INTEGER) + CAST(coded AS INTEGER) AS state
    FROM filtered_outcomes($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
)
SELECT CASE WHEN grouping(code_category) = 0 THEN 'category'
            WHEN grouping(practice_code) = 0 THEN 'practice'
            ELSE 'quarter' END AS breakdown,
       coalesce(code_category, practice_code, quarter) AS key,
       state,
       count(*) AS outcomes
FROM states
GROUP BY GROUPING SETS ((code_category, state), (practice_code, state), (quarter, state));
