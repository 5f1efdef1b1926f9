-- The folder of the export the database serves.
SELECT dir FROM parquet_source;
