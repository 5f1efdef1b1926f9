-- One page of the courses that ran under the filter, with capacity and the
-- people booked on each, the most recent first, and on every row the number
-- of courses that ran and that were cancelled under the filter in all.
-- A page with no courses still returns one row carrying the totals.
--   $1..$4  the course part of the filter (Filter.courseArgs)
--   $5      the most courses to return (NULL: every one)
--   $6      how many of the most recent to skip
WITH courses AS (
    SELECT * FROM filtered_courses($1, $2, $3, $4)
),
totals AS (
    SELECT count(*) FILTER (WHERE status = 'ran') AS ran,
           count(*) FILTER (WHERE status <> 'ran') AS cancelled
    FROM courses
),
page AS (
    SELECT course_id, coalesce(venue_id, '') AS venue_id, venue_name, mode, language, weekday,
           substr(CAST(start_time AS VARCHAR), 1, 5) AS start_time, slot,
           CAST(first_session_date AS VARCHAR) AS first_session_date,
           capacity, booked, first_session_date AS sort_date
    FROM courses
    WHERE status = 'ran'
    ORDER BY first_session_date DESC, course_id DESC
    LIMIT $5 OFFSET $6
)
SELECT t.ran, t.cancelled, p.* EXCLUDE (sort_date)
FROM totals t LEFT JOIN page p ON true
ORDER BY p.sort_date DESC, p.course_id DESC;
