-- A restated quarter's earlier rejections go with its earlier rows.
--   $quarter
DELETE FROM rejected_rows WHERE quarter = $quarter;
