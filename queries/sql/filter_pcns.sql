-- Which primary care networks the practices (latest snapshot) belong to.
-- pcn is never NULL and a practice has one row a quarter: arg_max skips nothing.
SELECT DISTINCT arg_max(pcn, quarter) AS pcn FROM practices GROUP BY practice_code ORDER BY pcn;
