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

-- Whether quarter q lies from q_from to q_to; '' leaves that end open.
CREATE OR REPLACE MACRO in_quarters(q, q_from, q_to) AS
    (q_from = '' OR q >= q_from) AND (q_to = '' OR q <= q_to);

-- Whether value is the one a filter field chose; '' chooses every value.
CREATE OR REPLACE MACRO is_chosen(value, chosen) AS
    chosen = '' OR value = chosen;

-- The loaded quarters from q_from to q_to (in_quarters), each with whether
-- its cohort is provisional: the window_days after the quarter's last day
-- (the window of its last possible referral) have not all passed by the
-- last day the data cover.
CREATE OR REPLACE MACRO cohorts(q_from, q_to, window_days) AS TABLE
    SELECT q.quarter, quarter_end(q.quarter) + CAST(window_days AS INTEGER) > a.as_of AS provisional
    FROM (SELECT DISTINCT quarter FROM loads) q,
         (SELECT quarter_end(max(quarter)) AS as_of FROM loads) a
    WHERE in_quarters(q.quarter, q_from, q_to);

-- Every practice with the name and network of its latest snapshot. A
-- practice has one row a quarter and no NULL name or network, so arg_max
-- takes the latest snapshot's values and skips nothing.
CREATE OR REPLACE MACRO latest_practices() AS TABLE
    SELECT practice_code, arg_max(practice_name, quarter) AS practice_name, arg_max(pcn, quarter) AS pcn
    FROM practices
    GROUP BY practice_code;

-- The groups a referral belongs to for Equity, one per dimension, as
-- {dimension, value}; 'all' holds everyone.
CREATE OR REPLACE MACRO equity_groups(age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer) AS
    [{'dimension': 'age_band', 'value': age_band},
     {'dimension': 'sex', 'value': sex},
     {'dimension': 'ethnic_group', 'value': ethnic_group},
     {'dimension': 'language', 'value': language},
     {'dimension': 'imd_quintile', 'value': CAST(imd_quintile AS VARCHAR)},
     {'dimension': 'patient_or_carer', 'value': patient_or_carer},
     {'dimension': 'all', 'value': 'all'}];
