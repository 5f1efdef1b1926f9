-- Places offered and booked on the courses that ran, by weekday and start
-- hour, for the demand heatmap.
--   $from, $to, $mode, $language  the course part of the filter
SELECT weekday, start_hour, count(*) AS courses,
       CAST(sum(capacity) AS BIGINT) AS places,
       CAST(sum(booked) AS BIGINT) AS booked
FROM filtered_courses($from, $to, $mode, $language)
WHERE status = 'ran'
GROUP BY weekday, start_hour;
