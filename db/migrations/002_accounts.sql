-- Schema version 2: who may sign in, their sessions, and the audit log.
--
-- Package accounts owns these tables and all the SQL over them.
-- They are small (people, not referrals), so unlike the extract tables of
-- 001 they declare their keys: a PRIMARY KEY or UNIQUE index here costs
-- nothing worth measuring and guards the rules that matter (one user per
-- username, one session per token hash).
--
-- Secrets are never stored: a password is kept only as an argon2id PHC
-- string, and a session only as the SHA-256 of its token, so a copy of the
-- database file lets no one sign in or take over a session.

CREATE SEQUENCE user_id_seq START 1;

CREATE TABLE users (
    user_id               BIGINT    NOT NULL PRIMARY KEY DEFAULT nextval('user_id_seq'),
    username              VARCHAR   NOT NULL UNIQUE CHECK (username = lower(username)),
    display_name          VARCHAR   NOT NULL,
    role                  VARCHAR   NOT NULL CHECK (role IN ('commissioner', 'service_lead', 'practice', 'admin')),
    practice_code         VARCHAR,            -- ODS code; set for role 'practice' and only for it
    password_hash         VARCHAR   NOT NULL, -- PHC string, e.g. $argon2id$v=19$m=65536,t=3,p=2$salt$hash
    disabled              BOOLEAN   NOT NULL DEFAULT false,
    must_change_password  BOOLEAN   NOT NULL DEFAULT false, -- set by a reset; cleared when the user chooses their own
    demo                  BOOLEAN   NOT NULL DEFAULT false, -- published demo account of the sample data
    failed_attempts       INTEGER   NOT NULL DEFAULT 0,     -- consecutive failed sign-ins
    locked_until          TIMESTAMP,                        -- UTC; NULL when not locked
    last_sign_in_at       TIMESTAMP,                        -- UTC; NULL until the first sign-in
    created_at            TIMESTAMP NOT NULL,               -- UTC
    updated_at            TIMESTAMP NOT NULL,               -- UTC
    CHECK ((role = 'practice') = (practice_code IS NOT NULL))
);

-- A session is valid until expires_at (absolute lifetime from sign-in) and
-- while it was last seen less than the idle timeout ago; both limits live
-- in package accounts. There is no CSRF column: the form token is derived
-- from the raw session token, which only the browser holds.
CREATE TABLE sessions (
    token_hash    VARCHAR   NOT NULL PRIMARY KEY, -- hex SHA-256 of the cookie's token
    user_id       BIGINT    NOT NULL,             -- users.user_id; users are disabled, never deleted
    created_at    TIMESTAMP NOT NULL,             -- UTC
    expires_at    TIMESTAMP NOT NULL,             -- UTC, created_at + absolute lifetime
    last_seen_at  TIMESTAMP NOT NULL              -- UTC, refreshed at most once a minute
);

CREATE SEQUENCE audit_id_seq START 1;

-- Append-only record of who did what, when: sign-ins, failed sign-ins,
-- downloads, loads and changes to users. detail never holds a patient or
-- referral identifier.
CREATE TABLE audit_log (
    audit_id     BIGINT    NOT NULL DEFAULT nextval('audit_id_seq'), -- orders events within one instant
    occurred_at  TIMESTAMP NOT NULL,  -- UTC (AT is a keyword in DuckDB)
    username     VARCHAR   NOT NULL,  -- who: a username, 'cli:<os user>', 'system', or '' when unknown
    role         VARCHAR   NOT NULL,  -- their role then, or ''
    action       VARCHAR   NOT NULL,  -- e.g. 'sign_in', 'sign_in_failed', 'download', 'load', 'user_added'
    detail       VARCHAR   NOT NULL,  -- what, for people: e.g. 'coding work list F83004 (CSV)'
    remote_addr  VARCHAR   NOT NULL   -- client address, 'cli', 'control socket', or ''
);
