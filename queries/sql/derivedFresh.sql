-- What the derived tables were built with, and the data version now.
SELECT config_hash, data_version, (SELECT coalesce(max(load_id), 0) FROM loads) FROM derived_state;
