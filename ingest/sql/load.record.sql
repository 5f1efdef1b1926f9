-- The load, one row per file: the lists $files ... $rejected hold one
-- value per file, in the same order.
--   $load_id, $quarter, $action, $loaded_at
--   $files, $tables, $sha256s, $accepted, $rejected
INSERT INTO loads (load_id, quarter, file, table_name, sha256, rows_accepted, rows_rejected, action, loaded_at)
SELECT $load_id, $quarter, unnest($files), unnest($tables), unnest($sha256s),
       unnest($accepted), unnest($rejected), $action, $loaded_at;
