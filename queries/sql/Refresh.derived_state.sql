-- What the derived tables were built with: the configuration and SQL
-- (derivedHash) and the data version, for derivedFresh.
--   $config_hash
CREATE OR REPLACE TABLE derived_state AS
SELECT CAST($config_hash AS VARCHAR) AS config_hash,
       (SELECT coalesce(max(load_id), 0) FROM loads) AS data_version;
