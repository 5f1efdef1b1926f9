-- The database's schema version, which the export records.
SELECT coalesce(max(version), 0) FROM schema_migrations;
