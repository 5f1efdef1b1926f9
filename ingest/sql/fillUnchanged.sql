-- What a load recorded for one of its files.
--   $load_id, $table_name
SELECT rows_accepted, rows_rejected FROM loads WHERE load_id = $load_id AND table_name = $table_name;
