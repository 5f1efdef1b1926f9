-- Places offered and booked on the courses that ran, by weekday and start
-- hour, for the demand heatmap.
--   $1..$4  the course part of the filter (Filter.courseArgs)
SELECT weekday, start_hour, count(*) AS courses,
       CAST(sum(capacity) AS BIGINT) AS places,
       CAST(sum(booked) AS BIGINT) AS booked
FROM filtered_courses($1, $2, $3, $4)
WHERE status = 'ran'
GROUP BY weekday, start_hour;
