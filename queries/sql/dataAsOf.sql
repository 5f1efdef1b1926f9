-- The last day the loaded data cover: the end of the latest quarter loaded
-- (NULL when nothing is loaded). Windows that end after it are not yet due.
SELECT quarter_end(max(quarter)) FROM loads;
