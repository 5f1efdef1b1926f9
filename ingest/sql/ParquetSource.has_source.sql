-- Whether the database has ever served a Parquet export.
SELECT count(*) FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'parquet_source';
