-- Places and bookings of the courses under the filter that ran, summed for
-- all of them and by slot, venue, language and mode; and how many courses
-- were cancelled. One row per group:
--   grouped_by  all, slot, venue, language, mode, or cancelled (one row,
--               courses is the number cancelled)
--   key         the slot, venue id ("" for online), language or mode
--   label       the venue's name for venues ("Online" for online), else the key
-- Groups with no course that ran are absent; the Go code adds empty slots
-- and modes.
--   $from, $to, $mode, $language  the course part of the filter
WITH c AS (
    SELECT status = 'ran' AS ran, slot, coalesce(venue_id, '') AS venue_id, venue_name,
           language, mode, capacity, booked
    FROM filtered_courses($from, $to, $mode, $language)
)
SELECT CASE WHEN NOT ran THEN 'cancelled'
            WHEN grouping(slot) = 0 THEN 'slot'
            WHEN grouping(venue_id) = 0 THEN 'venue'
            WHEN grouping(language) = 0 THEN 'language'
            WHEN grouping(mode) = 0 THEN 'mode'
            ELSE 'all' END AS grouped_by,
       CASE WHEN grouping(slot) = 0 THEN slot
            WHEN grouping(venue_id) = 0 THEN venue_id
            WHEN grouping(language) = 0 THEN language
            WHEN grouping(mode) = 0 THEN mode
            ELSE '' END AS key,
       -- A venue's name is the same on all its courses (course_facts takes
       -- the latest), so min picks that one name.
       CASE WHEN grouping(venue_id) = 0 THEN min(venue_name) ELSE '' END AS label,
       count(*) AS courses,
       CAST(coalesce(sum(capacity), 0) AS BIGINT) AS places,
       CAST(coalesce(sum(booked), 0) AS BIGINT) AS booked
FROM c
GROUP BY GROUPING SETS ((ran), (ran, slot), (ran, venue_id), (ran, language), (ran, mode))
-- Cancelled courses are only counted, not grouped.
HAVING ran OR grouping(slot, venue_id, language, mode) = 15;
