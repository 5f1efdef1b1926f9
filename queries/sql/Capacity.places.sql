-- Supply for Store.Capacity: by the quarter of their first session, slot,
-- language and mode, the courses that ran, their places (capacity) and
-- the people booked on them. Cancelled courses offered no places.
--   $from, $to, $mode, $language  the course part of the filter
SELECT quarter, slot, language, mode, count(*) AS courses,
       CAST(sum(capacity) AS BIGINT) AS places,
       CAST(sum(booked) AS BIGINT) AS booked
FROM filtered_courses($from, $to, $mode, $language)
WHERE status = 'ran'
GROUP BY quarter, slot, language, mode
ORDER BY quarter, slot, language, mode;
