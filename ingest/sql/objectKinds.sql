-- The main schema's tables and views, each as 'table' or 'view'.
SELECT table_name, 'table' FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main'
UNION ALL
SELECT view_name, 'view' FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal;
