-- course_facts: one row per course with its slot, venue and bookings.
-- Derived state, rebuilt by Store.Refresh before referral_facts, which
-- takes each person's booked slot from it. Definitions: docs/indicators.md.
--   $evening_from  (TIME) a weekday course starting at or after this is an evening course
CREATE OR REPLACE TABLE course_facts AS
-- Name and ward from the venue's latest snapshot. venues has one row per
-- (quarter, venue_id) and no NULL name or ward, so arg_max has one latest
-- row to take and no NULL to skip.
WITH venue_latest AS (
    SELECT venue_id, arg_max(venue_name, quarter) AS venue_name, arg_max(ward, quarter) AS ward
    FROM venues GROUP BY venue_id
),
-- People booked on each course, and those who attended a session of it.
-- Grouping by (course, referral) first and counting the groups gives the
-- same counts as count(DISTINCT referral_id) per course, at half the cost:
-- the distinct aggregates kept a hash table per course of every referral.
-- After a load, only the courses it touched are counted again
-- (refresh_course_attendance) and the others keep their counts
-- (refresh_kept_bookings): Refresh.scope.sql.
bookings AS (
    SELECT course_id,
           count(referral_id) AS booked,
           count(referral_id) FILTER (WHERE attended) AS started
    FROM (SELECT course_id, referral_id, bool_or(attended) AS attended
          FROM refresh_course_attendance GROUP BY course_id, referral_id)
    GROUP BY course_id
    UNION ALL
    SELECT course_id, booked, started FROM refresh_kept_bookings
)
SELECT c.course_id, c.quarter, c.venue_id,
       coalesce(v.venue_name, CASE WHEN c.mode = 'online' THEN 'Online' ELSE c.venue_id END) AS venue_name,
       v.ward, c.mode, c.language, c.weekday, c.start_time,
       CAST(hour(c.start_time) AS INTEGER) AS start_hour,
       c.first_session_date, c.sessions_planned, c.capacity, c.status,
       CASE WHEN c.weekday IN ('Saturday', 'Sunday') THEN 'weekend'
            WHEN c.start_time >= CAST($evening_from AS TIME) THEN 'weekday evening'
            ELSE 'weekday daytime' END AS slot,
       coalesce(b.booked, 0) AS booked,
       coalesce(b.started, 0) AS started
FROM courses c
LEFT JOIN venue_latest v USING (venue_id)
LEFT JOIN bookings b USING (course_id);
