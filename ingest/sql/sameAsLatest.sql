-- The files of a quarter's latest load, to tell whether a load of the same
-- files again would change anything.
--   $quarter  e.g. 2026Q2
SELECT load_id, table_name, sha256 FROM loads
WHERE load_id = (SELECT max(load_id) FROM loads WHERE quarter = $quarter);
