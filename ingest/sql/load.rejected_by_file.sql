-- How many rows of each file this load rejected.
SELECT file, CAST(count(*) AS BIGINT) FROM stg_rejected GROUP BY file;
