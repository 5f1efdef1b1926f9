-- Provider outcomes notified to practices, by outcome category, by
-- practice and by referral quarter, in one pass; queries.CodingCompleteness
-- turns the counts into figures and lists practices and quarters with
-- none. Definitions (coded, coding_due, code_category) live in
-- Refresh.outcome_facts.sql.
--   $from ... $channel  the global filter (queries.Filter)
-- breakdown: 'category' ('attended' holds attended and completed,
-- 'declined' holds declined and no response), 'practice' or 'quarter'.
-- Each row counts its group's outcomes: all notified; those still inside
-- the coding window; those whose window has passed (due); and of those,
-- the ones coded within it.
SELECT CASE WHEN grouping(code_category) = 0 THEN 'category'
            WHEN grouping(practice_code) = 0 THEN 'practice'
            ELSE 'quarter' END AS breakdown,
       coalesce(code_category, practice_code, quarter) AS key,
       count(*) AS notified,
       count(*) FILTER (WHERE NOT coding_due) AS inside_window,
       count(*) FILTER (WHERE coding_due) AS due,
       count(*) FILTER (WHERE coding_due AND coded) AS coded_in_window
FROM filtered_outcomes($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
GROUP BY GROUPING SETS ((code_category), (practice_code), (quarter));
