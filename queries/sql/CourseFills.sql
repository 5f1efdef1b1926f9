-- One page of the courses that ran under the filter, with capacity and the
-- people booked on each, the most recent first, and on every row the number
-- of courses that ran and that were cancelled under the filter in all.
-- A page with no courses still returns one row carrying the totals.
--   $from, $to, $mode, $language  the course part of the filter
--   $limit   the most courses to return (NULL: every one)
--   $offset  how many of the most recent to skip
WITH courses AS (
    SELECT * FROM filtered_courses($from, $to, $mode, $language)
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
    LIMIT $limit OFFSET $offset
)
SELECT t.ran, t.cancelled, p.* EXCLUDE (sort_date)
FROM totals t LEFT JOIN page p ON true
ORDER BY p.sort_date DESC, p.course_id DESC;
