-- The first of this load's rejected rows, by file and line.
--   $limit  how many rows
SELECT file, line, column_name, value, rule, reason FROM stg_rejected ORDER BY file, line LIMIT $limit;
