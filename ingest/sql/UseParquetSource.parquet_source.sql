-- Which export a database serves (ParquetSource).
CREATE TABLE IF NOT EXISTS parquet_source (
    dir          VARCHAR   NOT NULL,  -- the export's folder, absolute
    export_id    VARCHAR   NOT NULL,  -- its manifest's export_id
    data_version BIGINT    NOT NULL,
    exported_at  TIMESTAMP NOT NULL,
    attached_at  TIMESTAMP NOT NULL   -- UTC
);
