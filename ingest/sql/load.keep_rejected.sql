-- This load's rejected rows, kept for the Data page.
--   $load_id, $quarter
INSERT INTO rejected_rows (load_id, quarter, file, line, column_name, value, rule, reason)
SELECT $load_id, $quarter, file, line, column_name, value, rule, reason FROM stg_rejected ORDER BY file, line;
