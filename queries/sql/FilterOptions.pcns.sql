-- Which primary care networks the practices (latest snapshot) belong to.
SELECT DISTINCT pcn FROM latest_practices() ORDER BY pcn;
