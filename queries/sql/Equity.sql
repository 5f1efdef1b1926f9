-- Conversion of eligible referrals whose conversion window has closed, by
-- age band, sex, ethnic group, language, deprivation (IMD) quintile and
-- patient or carer, and overall (dimension 'all'). Every group value found
-- in any loaded referral appears, with zeros when the filter selects none
-- of it, so groups do not vanish from view.
--   $from ... $channel  the global filter (queries.Filter)
WITH final AS (
    SELECT age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer, converted
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE eligible AND conversion_final
),
-- Count each combination of the six characteristics once, then share the
-- combinations out to the six dimensions: one pass over the referrals.
combos AS (
    SELECT age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer,
           count(*) AS eligible, count(*) FILTER (WHERE converted) AS converted
    FROM final
    GROUP BY ALL
),
counts AS (
    SELECT g.dimension, g.value,
           CAST(sum(eligible) AS BIGINT) AS eligible, CAST(sum(converted) AS BIGINT) AS converted
    FROM (SELECT unnest(equity_groups(age_band, sex, ethnic_group, language, imd_quintile, patient_or_carer)) AS g,
                 eligible, converted
          FROM combos)
    GROUP BY ALL
),
-- Every value of every dimension in the loaded referrals, filter or not,
-- listed once per refresh (Refresh.equity_groups.sql).
groups AS (
    SELECT dimension, value FROM equity_group_values
)
SELECT g.dimension, g.value, coalesce(c.eligible, 0), coalesce(c.converted, 0)
FROM groups g
LEFT JOIN counts c USING (dimension, value)
-- "Not stated" sorts last within its dimension.
ORDER BY g.dimension, lower(g.value) = 'not stated', g.value;
