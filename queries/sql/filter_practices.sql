-- Every practice in the latest snapshot that names it, by name.
SELECT practice_code, arg_max(practice_name, quarter), arg_max(pcn, quarter)
FROM practices GROUP BY practice_code ORDER BY 2, 1;
