-- Every course under the filter with its capacity and the people booked on
-- it, for fill rates by course, venue, slot, language and mode. Cancelled
-- courses are included (status) so that they can be listed and counted.
--   $1..$4  the course part of the filter (Filter.courseArgs)
SELECT course_id, status, coalesce(venue_id, ''), venue_name, mode, language, weekday,
       substr(CAST(start_time AS VARCHAR), 1, 5) AS start_time, slot, first_session_date,
       capacity, booked
FROM filtered_courses($1, $2, $3, $4)
ORDER BY first_session_date, course_id;
