-- How many rows each validation rule rejected, per quarter and file, most
-- frequent first. rejected_rows holds the current rejections only (a
-- restatement replaces its quarter's).
SELECT quarter, file, rule, count(*) AS rows_rejected
FROM rejected_rows
GROUP BY quarter, file, rule
ORDER BY quarter, file, rows_rejected DESC, rule;
