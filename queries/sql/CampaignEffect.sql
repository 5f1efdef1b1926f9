-- For each text campaign a practice sent, the distinct referrals from that
-- practice in the window after it (the day sent and the window-1 days
-- that follow) against the same number of days before it. Campaigns are
-- those sent in the filter's quarter range at practices under its PCN and
-- practice fields; the referrals counted are filtered by the other fields
-- (mode, language, referrer, channel) but not by quarter, since windows
-- cross quarter ends. A window is complete when the loaded data cover all
-- of it; a campaign overlaps when another campaign of the same practice
-- was sent less than a window-width before or after it.
--   $from ... $channel  the global filter (queries.Filter)
--   $window_days  window width in days (campaign_window_weeks * 7)
WITH bounds AS (
    SELECT quarter_start(min(quarter)) AS data_from, quarter_end(max(quarter)) AS as_of FROM loads
),
campaigns AS (
    SELECT t.practice_code, coalesce(p.practice_name, t.practice_code) AS practice_name,
           coalesce(p.pcn, '') AS pcn, t.date_sent, t.messages_sent,
           CAST(t.date_sent - CAST($window_days AS INTEGER) AS DATE) AS before_from,
           CAST(t.date_sent + CAST($window_days AS INTEGER) - 1 AS DATE) AS after_to
    FROM text_campaigns t
    LEFT JOIN practice_names p USING (practice_code)
    WHERE in_quarters(t.quarter, $from, $to)
      AND is_chosen(p.pcn, $pcn) AND is_chosen(t.practice_code, $practice)
),
referrals_counted AS (
    SELECT practice_code, referral_date
    FROM filtered_referrals('', '', $pcn, $practice, $mode, $language, $referrer, $channel)
),
-- A plain count is a count of distinct referrals: referral_facts has one
-- row per referral, and a campaign (one per practice and day sent) meets
-- each referral at most once. count(DISTINCT referral_id) gave the same
-- answer and read every referral's text id to do it.
counted AS (
    SELECT c.practice_code, c.date_sent,
           count(*) FILTER (WHERE r.referral_date < c.date_sent) AS before,
           count(*) FILTER (WHERE r.referral_date >= c.date_sent) AS after
    FROM campaigns c
    JOIN referrals_counted r
      ON r.practice_code = c.practice_code AND r.referral_date BETWEEN c.before_from AND c.after_to
    GROUP BY c.practice_code, c.date_sent
)
SELECT c.practice_code, c.practice_name, c.pcn, c.date_sent, c.messages_sent,
       c.before_from, c.after_to,
       coalesce(n.before, 0), coalesce(n.after, 0),
       (c.before_from >= b.data_from) AS before_complete,
       (c.after_to <= b.as_of) AS after_complete,
       EXISTS (SELECT 1 FROM text_campaigns o
               WHERE o.practice_code = c.practice_code AND o.date_sent <> c.date_sent
                 AND abs(o.date_sent - c.date_sent) < CAST($window_days AS INTEGER)) AS overlaps
FROM campaigns c
CROSS JOIN bounds b
LEFT JOIN counted n USING (practice_code, date_sent)
ORDER BY c.date_sent, c.practice_code;
