-- equity_group_values: every value of every Equity dimension found in any
-- loaded referral, filter or not, so that Equity lists every group
-- without reading every referral again at request time (at England scale
-- that scan was over half of its time). Derived state, rebuilt whole by
-- Store.Refresh after referral_facts, incremental or not: a few hundred
-- rows from one pass of six columns.
CREATE OR REPLACE TABLE equity_group_values AS
SELECT DISTINCT g.dimension, g.value
FROM (SELECT unnest(equity_groups(age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer)) AS g
      FROM (SELECT DISTINCT age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer
            FROM referral_facts));
