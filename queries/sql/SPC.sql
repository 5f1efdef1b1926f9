-- The monthly series of the SPC charts (queries.SPC), one row per month of
-- the loaded quarters from $from to $to, with zeros for months with none.
-- Definitions (eligible, converted, conversion_final, non_attender,
-- followup_due, followed_up_in_window, coding_due, coded) live in
-- Refresh.referral_facts.sql and Refresh.outcome_facts.sql.
--   $from ... $channel  the global filter (queries.Filter)
--
-- Each measure is counted by the month of its own event:
--   referrals and conversion  by the month of the referral date, under the
--                             whole filter (the quarters pick referral
--                             quarters, as everywhere);
--   follow-up and coding      by the month the practice was notified of the
--                             outcome. Here the quarters pick the months
--                             notified, and the other fields the referrals:
--                             cut by referral quarter instead, the months
--                             after the range would hold only the
--                             referrals from inside it and fall away.
-- The pending counts say whether a month may still change: eligible
-- referrals whose conversion window is open, notified non-attenders whose
-- follow-up window is open, notified outcomes whose coding window is
-- open. The data are complete to the as-of date, so a month whose every
-- window has closed is final however close to the end it lies.
--
-- Each series is counted by day first and the days added up into months:
-- grouping 1.8 million referrals by their date is several times cheaper
-- than working out each one's month, and the few thousand days then cost
-- nothing. Likewise the quarters of the months notified are tested on the
-- days, not on every row.
WITH months AS (
    SELECT CAST(quarter_start(quarter) + to_months(CAST(i AS INTEGER)) AS DATE) AS month
    FROM cohorts($from, $to, 0), range(3) AS r(i)
),
referral_days AS (
    SELECT referral_date AS day,
           count(*) AS referrals,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND converted) AS converted,
           count(*) FILTER (WHERE eligible AND NOT conversion_final) AS conversion_pending
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    GROUP BY referral_date
),
followup_days AS (
    SELECT notified_date AS day,
           count(*) FILTER (WHERE followup_due) AS due,
           count(*) FILTER (WHERE followup_due AND followed_up_in_window) AS followed_up,
           count(*) FILTER (WHERE NOT followup_due) AS pending
    FROM filtered_referrals('', '', $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE non_attender AND notified_date IS NOT NULL
    GROUP BY notified_date
),
coding_days AS (
    SELECT notified_date AS day,
           count(*) FILTER (WHERE coding_due) AS due,
           count(*) FILTER (WHERE coding_due AND coded) AS coded,
           count(*) FILTER (WHERE NOT coding_due) AS pending
    FROM filtered_outcomes('', '', $pcn, $practice, $mode, $language, $referrer, $channel)
    GROUP BY notified_date
),
by_referral AS (
    SELECT CAST(date_trunc('month', day) AS DATE) AS month,
           CAST(sum(referrals) AS BIGINT) AS referrals, CAST(sum(eligible) AS BIGINT) AS eligible,
           CAST(sum(converted) AS BIGINT) AS converted, CAST(sum(conversion_pending) AS BIGINT) AS conversion_pending
    FROM referral_days
    GROUP BY ALL
),
followup AS (
    SELECT CAST(date_trunc('month', day) AS DATE) AS month,
           CAST(sum(due) AS BIGINT) AS due, CAST(sum(followed_up) AS BIGINT) AS followed_up, CAST(sum(pending) AS BIGINT) AS pending
    FROM followup_days
    WHERE in_quarters(quarter_of(day), $from, $to)
    GROUP BY ALL
),
coding AS (
    SELECT CAST(date_trunc('month', day) AS DATE) AS month,
           CAST(sum(due) AS BIGINT) AS due, CAST(sum(coded) AS BIGINT) AS coded, CAST(sum(pending) AS BIGINT) AS pending
    FROM coding_days
    WHERE in_quarters(quarter_of(day), $from, $to)
    GROUP BY ALL
)
SELECT strftime(m.month, '%Y-%m') AS period,
       coalesce(r.referrals, 0), coalesce(r.eligible, 0), coalesce(r.converted, 0), coalesce(r.conversion_pending, 0),
       coalesce(f.due, 0), coalesce(f.followed_up, 0), coalesce(f.pending, 0),
       coalesce(c.due, 0), coalesce(c.coded, 0), coalesce(c.pending, 0)
FROM months m
LEFT JOIN by_referral r ON r.month = m.month
LEFT JOIN followup f ON f.month = m.month
LEFT JOIN coding c ON c.month = m.month
ORDER BY m.month;
