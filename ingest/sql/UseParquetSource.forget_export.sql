DELETE FROM parquet_source;
