-- One page of rejected rows, values as stored, under optional quarter,
-- file and rule filters, with the number of rows matching in all. The
-- total comes on every row, and on one row of NULLs when the page is empty.
--   $quarter  e.g. 2026Q2 ('' = all)
--   $file     file name, e.g. referrals.csv ('' = all)
--   $rule     e.g. bad_date ('' = all)
--   $limit    page size
--   $offset   rows to skip
WITH matching AS (
    SELECT * FROM rejected_rows
    WHERE is_chosen(quarter, $quarter) AND is_chosen(file, $file) AND is_chosen(rule, $rule)
),
page AS (
    SELECT * FROM matching
    ORDER BY quarter, file, line, column_name, rule
    LIMIT $limit OFFSET $offset
)
SELECT (SELECT count(*) FROM matching) AS total,
       p.load_id, p.quarter, p.file, p.line, p.column_name, p.value, p.rule, p.reason
FROM (SELECT 1) AS one
LEFT JOIN page p ON true
ORDER BY p.quarter, p.file, p.line, p.column_name, p.rule;
