-- What the derived tables were built with, how many loads have committed
-- since (this one included), and the quarter of the latest load.
SELECT d.config_hash,
       (SELECT count(DISTINCT load_id) FROM loads WHERE load_id > d.data_version),
       (SELECT any_value(quarter) FROM loads WHERE load_id = (SELECT max(load_id) FROM loads))
FROM derived_state d;
