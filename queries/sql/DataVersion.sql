-- The data version: the latest load's id, 0 when nothing is loaded.
SELECT coalesce(max(load_id), 0) FROM loads;
