-- The export the database served until now, if any.
SELECT export_id FROM parquet_source;
