-- Package queries rebuilds its derived tables when derived_state is
-- missing.
DROP TABLE IF EXISTS derived_state;
