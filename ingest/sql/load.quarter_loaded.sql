-- Whether the quarter was loaded before, in the load's own snapshot.
--   $quarter
SELECT count(*) > 0 FROM loads WHERE quarter = $quarter;
