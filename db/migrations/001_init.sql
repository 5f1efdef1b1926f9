-- Schema version 1: the data contract v1 (sample-data/README.md) as tables.
--
-- Every extract table carries the quarter whose folder it came from, so that a
-- restatement can replace exactly that quarter: DELETE ... WHERE quarter = ?
-- then INSERT, inside one transaction.
--
-- Keys are documented on each table but not declared as PRIMARY KEYs:
-- ingest enforces them itself (duplicate_key within a file,
-- key_in_other_quarter across quarters) and rejects the row, naming it.
-- DuckDB keeps a PRIMARY KEY as an in-memory ART index, and a restatement
-- deletes and re-inserts a whole quarter: with the indexes, restating an
-- England-scale quarter took over 40 s (index maintenance on DELETE and
-- COMMIT), without them about 4 s, and the indexes would hold hundreds of
-- megabytes of memory for 8M attendance rows.

-- key: (quarter, practice_code)
CREATE TABLE practices (
    quarter        VARCHAR NOT NULL,   -- snapshot as of this quarter, e.g. '2026Q2'
    practice_code  VARCHAR NOT NULL,   -- ODS code, e.g. F83004
    practice_name  VARCHAR NOT NULL,
    pcn            VARCHAR NOT NULL,   -- primary care network name
    list_size      INTEGER NOT NULL,
    t2d_register   INTEGER NOT NULL    -- people with type 2 diabetes on the register
);

-- key: (quarter, venue_id)
CREATE TABLE venues (
    quarter     VARCHAR NOT NULL,
    venue_id    VARCHAR NOT NULL,
    venue_name  VARCHAR NOT NULL,
    postcode    VARCHAR NOT NULL,
    ward        VARCHAR NOT NULL,
    step_free   BOOLEAN NOT NULL
);

-- key: course_id, across quarters
CREATE TABLE courses (
    quarter             VARCHAR NOT NULL,  -- quarter of first_session_date
    course_id           VARCHAR NOT NULL,  -- key, unique across quarters
    venue_id            VARCHAR,           -- NULL for online courses
    mode                VARCHAR NOT NULL,  -- 'face-to-face' | 'online'
    language            VARCHAR NOT NULL,  -- e.g. 'English', 'Turkish'
    weekday             VARCHAR NOT NULL,  -- 'Monday' .. 'Sunday'
    start_time          TIME    NOT NULL,
    first_session_date  DATE    NOT NULL,
    sessions_planned    INTEGER NOT NULL,  -- 1..7, normally 7
    capacity            INTEGER NOT NULL,  -- 12..16
    status              VARCHAR NOT NULL   -- 'ran' | 'cancelled'
);

-- key: referral_id, across quarters
CREATE TABLE referrals (
    quarter                VARCHAR NOT NULL,  -- quarter of referral_date
    referral_id            VARCHAR NOT NULL,  -- key, unique across quarters
    patient_id             VARCHAR NOT NULL,  -- pseudonym; never an NHS number
    practice_code          VARCHAR NOT NULL,
    referral_date          DATE    NOT NULL,
    referrer               VARCHAR NOT NULL,  -- 'GP' | 'nurse' | 'self' | 'other'
    channel                VARCHAR NOT NULL,  -- 'letter' | 'e-referral' | 'phone' | 'email' | 'text message'
    patient_or_carer       VARCHAR NOT NULL,  -- 'patient' | 'carer'
    age_band               VARCHAR NOT NULL,  -- '18-39' | '40-49' | '50-59' | '60-69' | '70-79' | '80+'
    sex                    VARCHAR NOT NULL,  -- 'female' | 'male' | 'other' | 'not stated'
    ethnic_group           VARCHAR NOT NULL,  -- 'Asian' | 'Black' | 'Mixed' | 'White' | 'Other' | 'Not stated'
    language               VARCHAR NOT NULL,  -- preferred course language
    years_since_diagnosis  DECIMAL(4,1),      -- NULL for carers without diabetes
    imd_quintile           INTEGER NOT NULL,  -- 1 (most deprived) .. 5
    preferred_mode         VARCHAR NOT NULL,  -- 'face-to-face' | 'online' | 'no preference'
    preferred_slot         VARCHAR NOT NULL   -- 'weekday daytime' | 'weekday evening' | 'weekend' | 'no preference'
);

-- key: (referral_id, course_id, session_number), across quarters
CREATE TABLE attendance (
    quarter         VARCHAR NOT NULL,  -- quarter of session_date
    referral_id     VARCHAR NOT NULL,
    course_id       VARCHAR NOT NULL,
    session_number  INTEGER NOT NULL,  -- 1..7
    session_date    DATE    NOT NULL,
    attended        BOOLEAN NOT NULL
);

-- key: (referral_id, outcome_date), across quarters
CREATE TABLE outcomes (
    quarter                 VARCHAR NOT NULL,  -- quarter of outcome_date
    referral_id             VARCHAR NOT NULL,
    outcome                 VARCHAR NOT NULL,  -- 'completed' | 'attended' | 'did not attend' | 'declined' | 'no response' | 'ineligible'
    outcome_date            DATE    NOT NULL,
    practice_notified_date  DATE               -- NULL until the practice is told
);

-- key: (referral_id, followup_date, followup_by), across quarters
CREATE TABLE followups (
    quarter        VARCHAR NOT NULL,  -- quarter of followup_date
    referral_id    VARCHAR NOT NULL,
    followup_date  DATE    NOT NULL,
    followup_by    VARCHAR NOT NULL,  -- 'practice' | 'provider'
    method         VARCHAR NOT NULL,  -- 'phone' | 'text' | 'letter' | 'in person'
    result         VARCHAR NOT NULL   -- 'rebooked' | 'declined' | 'no contact'
);

-- key: (practice_code, patient_id, code, code_date), across quarters
CREATE TABLE gp_codes (
    quarter        VARCHAR NOT NULL,  -- quarter of code_date
    practice_code  VARCHAR NOT NULL,
    patient_id     VARCHAR NOT NULL,
    code           VARCHAR NOT NULL,  -- Read v2 (e.g. 9OLF) or SNOMED CT concept id
    code_date      DATE    NOT NULL
);

-- key: (practice_code, date_sent), across quarters
CREATE TABLE text_campaigns (
    quarter        VARCHAR NOT NULL,  -- quarter of date_sent
    practice_code  VARCHAR NOT NULL,
    date_sent      DATE    NOT NULL,
    messages_sent  INTEGER NOT NULL
);

-- One row per file per load that changed the database. An identical
-- quarter loaded again adds nothing (see ingest.Loader).
CREATE TABLE loads (
    load_id        BIGINT    NOT NULL,   -- one id per quarter load; shared by its files
    quarter        VARCHAR   NOT NULL,
    file           VARCHAR   NOT NULL,   -- file name within the quarter folder, e.g. referrals.csv
    table_name     VARCHAR   NOT NULL,
    sha256         VARCHAR   NOT NULL,
    rows_accepted  BIGINT    NOT NULL,
    rows_rejected  BIGINT    NOT NULL,
    action         VARCHAR   NOT NULL,   -- 'loaded' (first time) | 'restated' (replaced an earlier load)
    loaded_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (load_id, file)
);

-- Rows refused by validation, kept with where they came from and why.
-- Replaced with the quarter on restatement, like the data they describe.
CREATE TABLE rejected_rows (
    load_id      BIGINT  NOT NULL,
    quarter      VARCHAR NOT NULL,
    file         VARCHAR NOT NULL,
    line         BIGINT  NOT NULL,   -- 1-based line (CSV) or row (XLSX) in the file; header is line 1
    column_name  VARCHAR NOT NULL,   -- '' when the rule concerns the whole row
    value        VARCHAR NOT NULL,   -- the offending value, truncated to 200 characters
    rule         VARCHAR NOT NULL,   -- short machine name, e.g. 'bad_date', 'unknown_practice'
    reason       VARCHAR NOT NULL    -- sentence for people
);

CREATE SEQUENCE load_id_seq START 1;
