-- Whether any loaded quarter lists the practice with this ODS code.
SELECT EXISTS (SELECT 1 FROM practices WHERE practice_code = $1);
