-- The export the database serves from now on.
--   $dir, $export_id, $data_version, $exported_at, $attached_at
INSERT INTO parquet_source (dir, export_id, data_version, exported_at, attached_at)
VALUES ($dir, $export_id, $data_version, $exported_at, $attached_at);
