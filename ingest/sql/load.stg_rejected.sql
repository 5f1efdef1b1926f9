-- The rows of this load that broke a rule, until they are kept in
-- rejected_rows with the load's id.
CREATE OR REPLACE TEMP TABLE stg_rejected (
    file VARCHAR NOT NULL, line BIGINT NOT NULL, column_name VARCHAR NOT NULL,
    value VARCHAR NOT NULL, rule VARCHAR NOT NULL, reason VARCHAR NOT NULL);
