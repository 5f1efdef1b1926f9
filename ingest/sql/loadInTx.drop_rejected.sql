-- The staging table of rejections, no longer needed once the load is done.
DROP TABLE stg_rejected;
