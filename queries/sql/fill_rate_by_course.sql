-- Every course under the filter with its capacity and the people booked on
-- it, the most recent first, for the list of courses and their fill rates.
-- Cancelled courses are included (status) so that they can be listed.
--   $1..$4  the course part of the filter (Filter.courseArgs)
SELECT course_id, status, coalesce(venue_id, ''), venue_name, mode, language, weekday,
       substr(CAST(start_time AS VARCHAR), 1, 5) AS start_time, slot,
       CAST(first_session_date AS VARCHAR) AS first_session_date,
       capacity, booked
FROM filtered_courses($1, $2, $3, $4)
ORDER BY first_session_date DESC, course_id DESC;
