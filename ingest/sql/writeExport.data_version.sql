-- The data version (the latest load), which the export records.
SELECT coalesce(max(load_id), 0) FROM loads;
