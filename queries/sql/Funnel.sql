-- How many referrals reach each stage of the pathway: referred, eligible,
-- booked, started (attended a session within the conversion window) and
-- completed. Each stage is a subset of the one before. Also: how many
-- referrals are in cohorts whose conversion window has not closed, and
-- which quarters of the range are still maturing.
--   $from ... $channel  the global filter (queries.Filter)
--   $conversion_window_days  days after referral (180)
WITH stages AS (
    SELECT count(*) AS referred,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND booked) AS booked,
           count(*) FILTER (WHERE eligible AND converted) AS started,
           count(*) FILTER (WHERE eligible AND completed) AS completed,
           count(*) FILTER (WHERE NOT conversion_final) AS provisional
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
),
maturing AS (
    SELECT string_agg(quarter, ',' ORDER BY quarter) AS quarters
    FROM cohorts($from, $to, $conversion_window_days)
    WHERE provisional
)
SELECT s.referred, s.eligible, s.booked, s.started, s.completed, s.provisional,
       coalesce(m.quarters, '')
FROM stages s, maturing m;
