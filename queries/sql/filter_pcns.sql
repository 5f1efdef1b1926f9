-- Which primary care networks the practices (latest snapshot) belong to.
SELECT DISTINCT arg_max(pcn, quarter) AS pcn FROM practices GROUP BY practice_code ORDER BY pcn;
