-- Every load that changed the database, newest first, one row per file.
SELECT load_id, quarter, loaded_at, action, file, table_name, sha256, rows_accepted, rows_rejected
FROM loads
ORDER BY load_id DESC, file;
