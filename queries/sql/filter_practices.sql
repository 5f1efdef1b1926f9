-- Every practice in the latest snapshot that names it, by name. One row
-- per (quarter, practice_code), no NULL name or network: arg_max takes the
-- latest snapshot's values and skips nothing.
SELECT practice_code, arg_max(practice_name, quarter), arg_max(pcn, quarter)
FROM practices GROUP BY practice_code ORDER BY 2, 1;
