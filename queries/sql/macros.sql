-- Macros every indicator shares. Store.Open runs this file statement by
-- statement (statements end with a semicolon at the end of a line).

-- The first and last day of a quarter named like '2026Q2'.
CREATE OR REPLACE MACRO quarter_start(q) AS
    make_date(CAST(substr(q, 1, 4) AS INTEGER), CAST(substr(q, 6, 1) AS INTEGER) * 3 - 2, 1);

CREATE OR REPLACE MACRO quarter_end(q) AS
    CAST(quarter_start(q) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE);

-- The quarter a date falls in, e.g. DATE '2026-05-01' -> '2026Q2'.
CREATE OR REPLACE MACRO quarter_of(d) AS
    CAST(year(d) AS VARCHAR) || 'Q' || CAST(quarter(d) AS VARCHAR);

-- The quarter before q, for change-from-last-quarter figures.
CREATE OR REPLACE MACRO previous_quarter(q) AS
    quarter_of(quarter_start(q) - INTERVAL 1 DAY);
