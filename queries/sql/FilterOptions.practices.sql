-- Every practice in the latest snapshot that names it, by name.
SELECT practice_code, practice_name, pcn
FROM latest_practices() ORDER BY practice_name, practice_code;
