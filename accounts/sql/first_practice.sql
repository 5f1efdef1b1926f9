-- The first practice by ODS code in any loaded quarter, or NULL when none is
-- loaded: the practice the demo practice user belongs to.
SELECT min(practice_code) FROM practices;
