-- Places offered (capacity) and places booked on the courses that ran, by
-- the slot they ran in. Cancelled courses offered no places.
--   $1..$4  the course part of the filter (Filter.courseArgs)
SELECT slot, count(*) AS courses,
       CAST(sum(capacity) AS BIGINT) AS places,
       CAST(sum(booked) AS BIGINT) AS booked
FROM filtered_courses($1, $2, $3, $4)
WHERE status = 'ran'
GROUP BY slot;
