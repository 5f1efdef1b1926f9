-- Each practice's referral rate, conversion and follow-up rate, with the
-- numerators and denominators the borough baseline and the funnel plot
-- need. Every practice with a snapshot in the range appears, with zeros
-- when it made no referrals. The caller blanks the PCN and practice
-- filters so that the result covers the whole borough (the comparator).
--   $from ... $channel  the global filter (queries.Filter), $pcn and $practice '', PCN and practice ''
--   $kept  true to count from practice_quarter_counts (no filter on the
--          referrals' own attributes: mode, language, referrer, channel),
--          false to count from the referrals themselves
WITH refs AS (
    SELECT * FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE NOT $kept
),
per_practice AS (
    -- From the counts kept per practice and quarter
    -- (Refresh.practice_quarter_counts.sql): a person counts once, at
    -- their first referral in the range, i.e. one whose previous referral
    -- (if any) came before the range. That is exact while the filter
    -- selects by quarter (whole histories).
    SELECT practice_code,
           CAST(sum(patients) FILTER (WHERE previous_referral_quarter IS NULL
                                         OR ($from <> '' AND previous_referral_quarter < $from)) AS BIGINT) AS patients_referred,
           CAST(sum(conversion_den) AS BIGINT) AS conversion_den,
           CAST(sum(conversion_num) AS BIGINT) AS conversion_num,
           CAST(sum(followup_den) AS BIGINT) AS followup_den,
           CAST(sum(followup_num) AS BIGINT) AS followup_num
    FROM practice_quarter_counts
    WHERE $kept AND in_quarters(quarter, $from, $to)
    GROUP BY practice_code
    UNION ALL
    -- From the referrals, counted as in Refresh.practice_quarter_counts.sql.
    -- Filters on a referral's own attributes (mode, language, referrer,
    -- channel) can drop a person's earlier referral, so then people are
    -- counted with count(DISTINCT).
    SELECT practice_code,
           CASE WHEN $mode = '' AND $language = '' AND $referrer = '' AND $channel = ''
                THEN count(*) FILTER (WHERE patient_or_carer = 'patient'
                                        AND (previous_referral_quarter IS NULL
                                             OR ($from <> '' AND previous_referral_quarter < $from)))
                ELSE count(DISTINCT patient_id) FILTER (WHERE patient_or_carer = 'patient'
                                                          AND NOT ($mode = '' AND $language = '' AND $referrer = '' AND $channel = ''))
           END AS patients_referred,
           count(*) FILTER (WHERE eligible AND conversion_final) AS conversion_den,
           count(*) FILTER (WHERE eligible AND conversion_final AND converted) AS conversion_num,
           count(*) FILTER (WHERE non_attender AND followup_due) AS followup_den,
           count(*) FILTER (WHERE non_attender AND followup_due AND followed_up_in_window) AS followup_num
    FROM refs
    GROUP BY practice_code
),
-- The type 2 register, list size and deprivation quintile (NULL when
-- not given) from the latest snapshot within the range.
register AS (
    SELECT practice_code, max(quarter) AS register_quarter,
           arg_max(t2d_register, quarter) AS t2d_register,
           arg_max(list_size, quarter) AS list_size,
           arg_max(imd_quintile, quarter) AS imd_quintile
    FROM practices
    WHERE in_quarters(quarter, $from, $to)
    GROUP BY practice_code
),
codes AS (
    SELECT practice_code FROM register UNION SELECT practice_code FROM per_practice
)
-- Names and networks come from FilterOptions (the latest snapshot of all,
-- as elsewhere), which the store keeps, and the caller sorts by name: the
-- join and the sort here were a third of this query's time at England
-- scale.
SELECT c.practice_code,
       coalesce(r.register_quarter, ''), CAST(coalesce(r.t2d_register, 0) AS BIGINT),
       coalesce(p.patients_referred, 0),
       coalesce(p.conversion_num, 0), coalesce(p.conversion_den, 0),
       coalesce(p.followup_num, 0), coalesce(p.followup_den, 0),
       CAST(coalesce(r.list_size, 0) AS BIGINT), CAST(coalesce(r.imd_quintile, 0) AS BIGINT)
FROM codes c
LEFT JOIN register r USING (practice_code)
LEFT JOIN per_practice p USING (practice_code);
