-- The rules this load's rejections broke, most often first, each with how
-- many rows broke it and its first row as an example.
--   $limit  how many rules
SELECT rule, n, file, line, column_name, value, reason FROM (
    SELECT *, CAST(count(*) OVER (PARTITION BY rule) AS BIGINT) AS n,
           row_number() OVER (PARTITION BY rule ORDER BY file, line) AS rn
    FROM stg_rejected)
WHERE rn = 1
ORDER BY n DESC, rule
LIMIT $limit;
