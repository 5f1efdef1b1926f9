-- The id of this load.
SELECT nextval('load_id_seq');
