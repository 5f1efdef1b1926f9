-- One page of rejected rows, values as stored, under optional quarter,
-- file and rule filters, with the number of rows matching in all. The
-- total comes on every row, and on one row of NULLs when the page is empty.
--   $1  quarter ('' = all)
--   $2  file name, e.g. referrals.csv ('' = all)
--   $3  rule, e.g. bad_date ('' = all)
--   $4  page size
--   $5  rows to skip
WITH matching AS (
    SELECT * FROM rejected_rows
    WHERE ($1 = '' OR quarter = $1) AND ($2 = '' OR file = $2) AND ($3 = '' OR rule = $3)
),
page AS (
    SELECT * FROM matching
    ORDER BY quarter, file, line, column_name, rule
    LIMIT $4 OFFSET $5
)
SELECT (SELECT count(*) FROM matching) AS total,
       p.load_id, p.quarter, p.file, p.line, p.column_name, p.value, p.rule, p.reason
FROM (SELECT 1) AS one
LEFT JOIN page p ON true
ORDER BY p.quarter, p.file, p.line, p.column_name, p.rule;
