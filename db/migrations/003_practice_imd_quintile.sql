-- Data contract v2: a practice's deprivation quintile (IMD, 1 = most
-- deprived), optional, for comparing a practice with similar practices.
-- Quarters loaded before it hold NULL.
ALTER TABLE practices ADD COLUMN imd_quintile INTEGER;
