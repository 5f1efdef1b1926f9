-- Places offered (capacity) and places booked on the courses that ran, by
-- the slot they ran in. Cancelled courses offered no places.
--   $from, $to, $mode, $language  the course part of the filter
SELECT slot, count(*) AS courses,
       CAST(sum(capacity) AS BIGINT) AS places,
       CAST(sum(booked) AS BIGINT) AS booked
FROM filtered_courses($from, $to, $mode, $language)
WHERE status = 'ran'
GROUP BY slot;
