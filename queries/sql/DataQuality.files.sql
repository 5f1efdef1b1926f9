-- Rows accepted and rejected per quarter and file, as the latest load of
-- each file left them (a restatement replaces the earlier figures).
-- loads' key is (load_id, file) and no column is NULL: arg_max takes the
-- latest load's row and skips nothing.
SELECT quarter, file, arg_max(table_name, load_id) AS table_name,
       arg_max(rows_accepted, load_id) AS accepted,
       arg_max(rows_rejected, load_id) AS rejected
FROM loads
GROUP BY quarter, file
ORDER BY quarter, file;
