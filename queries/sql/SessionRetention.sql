-- Of the people who started a course, how many were present at each
-- session 1-7 of it. Starters are the funnel's "started" stage: eligible
-- referrals that attended a session within the conversion window. Each
-- starter counts once, on the first course they attended a session of
-- (referral_facts.started_course_id). A session counts for a starter only
-- once their course has held it (some attendance is recorded for it or a
-- later session), so a course still running, or planned with fewer
-- sessions, does not look like people dropping out.
--   $from ... $channel  the global filter (queries.Filter)
WITH starters AS (
    SELECT started_sessions_mask AS present, started_course_sessions_held AS held
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE eligible AND converted
),
-- One pass: for each session k, the starters whose course has held it and
-- those present at it (bit k-1 of the mask).
counts AS (
    SELECT count(*) AS starters,
           list_value(count(*) FILTER (WHERE held >= 1), count(*) FILTER (WHERE held >= 2),
                      count(*) FILTER (WHERE held >= 3), count(*) FILTER (WHERE held >= 4),
                      count(*) FILTER (WHERE held >= 5), count(*) FILTER (WHERE held >= 6),
                      count(*) FILTER (WHERE held >= 7)) AS held_for,
           list_value(count(*) FILTER (WHERE present & 1 <> 0), count(*) FILTER (WHERE present & 2 <> 0),
                      count(*) FILTER (WHERE present & 4 <> 0), count(*) FILTER (WHERE present & 8 <> 0),
                      count(*) FILTER (WHERE present & 16 <> 0), count(*) FILTER (WHERE present & 32 <> 0),
                      count(*) FILTER (WHERE present & 64 <> 0)) AS present
    FROM starters
)
SELECT CAST(k.session AS INTEGER) AS session, c.starters,
       c.held_for[k.session] AS held_for, c.present[k.session] AS present
FROM range(1, 8) AS k(session) CROSS JOIN counts c
ORDER BY k.session;
