-- Rows accepted and rejected per quarter and file, as the latest load of
-- each file left them (a restatement replaces the earlier figures).
SELECT quarter, file, arg_max(table_name, load_id) AS table_name,
       arg_max(rows_accepted, load_id) AS accepted,
       arg_max(rows_rejected, load_id) AS rejected
FROM loads
GROUP BY quarter, file
ORDER BY quarter, file;
