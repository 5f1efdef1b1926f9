-- Of the people who started a course, how many were present at each
-- session 1-7 of it. Starters are the funnel's "started" stage: eligible
-- referrals that attended a session within the conversion window. Each
-- starter counts once, on the first course they attended a session of
-- (referral_facts.started_course_id). A session counts for a starter only
-- once their course has held it (some attendance is recorded for it or a
-- later session), so a course still running, or planned with fewer
-- sessions, does not look like people dropping out.
--   $1..$8  the global filter (queries.Filter)
WITH starters AS (
    SELECT started_sessions_present AS present, started_course_sessions_held AS held
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    WHERE eligible AND converted
)
SELECT CAST(k.session AS INTEGER) AS session,
       (SELECT count(*) FROM starters) AS starters,
       count(s.held) FILTER (WHERE s.held >= k.session) AS held_for,
       count(s.held) FILTER (WHERE list_contains(s.present, k.session)) AS present
FROM range(1, 8) AS k(session)
LEFT JOIN starters s ON true
GROUP BY k.session
ORDER BY k.session;
