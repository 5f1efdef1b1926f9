-- Provider outcomes notified to practices, by outcome category, by
-- practice and by referral quarter, in one pass; queries.CodingCompleteness
-- turns the counts into figures and lists practices and quarters with
-- none. What each column counts is defined once, in coding_tally
-- (filter_macros.sql); definitions of coded, coding_due and code_category
-- live in Refresh.outcome_facts.sql.
--   $from ... $channel  the global filter (queries.Filter)
--   $kept  true to add up coding_counts (no filter on the referrals' own
--          attributes: mode, language, referrer, channel), false to count
--          from the outcomes themselves
-- breakdown: 'category' ('attended' holds attended and completed,
-- 'declined' holds declined and no response), 'practice' or 'quarter'.
-- Each row counts its group's outcomes: all notified; those still inside
-- the coding window; those whose window has passed (due); and of those,
-- the ones coded within it.
WITH tallies AS (
    SELECT * EXCLUDE (pcn) FROM coding_counts
    WHERE $kept AND in_quarters(quarter, $from, $to) AND is_chosen(pcn, $pcn) AND is_chosen(practice_code, $practice)
    UNION ALL
    SELECT * EXCLUDE (pcn) FROM coding_tally($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE NOT $kept
)
SELECT CASE WHEN grouping(code_category) = 0 THEN 'category'
            WHEN grouping(practice_code) = 0 THEN 'practice'
            ELSE 'quarter' END AS breakdown,
       coalesce(code_category, practice_code, quarter) AS key,
       CAST(sum(notified) AS BIGINT) AS notified,
       CAST(sum(inside_window) AS BIGINT) AS inside_window,
       CAST(sum(due) AS BIGINT) AS due,
       CAST(sum(coded_in_window) AS BIGINT) AS coded_in_window
FROM tallies
GROUP BY GROUPING SETS ((code_category), (practice_code), (quarter));
