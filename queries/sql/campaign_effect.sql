-- For each text campaign a practice sent, the distinct referrals from that
-- practice in the window after it (the day sent and the window-1 days
-- that follow) against the same number of days before it. Campaigns are
-- those sent in the filter's quarter range at practices under its PCN and
-- practice fields; the referrals counted are filtered by the other fields
-- (mode, language, referrer, channel) but not by quarter, since windows
-- cross quarter ends. A window is complete when the loaded data cover all
-- of it; a campaign overlaps when another campaign of the same practice
-- was sent less than a window-width before or after it.
--   $1..$8  the global filter (queries.Filter)
--   $9      window width in days (campaign_window_weeks * 7)
WITH bounds AS (
    SELECT quarter_start(min(quarter)) AS data_from, quarter_end(max(quarter)) AS as_of FROM loads
),
-- Name and network from the latest snapshot (one row a quarter, no NULLs:
-- arg_max skips nothing).
practice_list AS (
    SELECT practice_code, arg_max(practice_name, quarter) AS practice_name, arg_max(pcn, quarter) AS pcn
    FROM practices GROUP BY practice_code
),
campaigns AS (
    SELECT t.practice_code, coalesce(p.practice_name, t.practice_code) AS practice_name,
           coalesce(p.pcn, '') AS pcn, t.date_sent, t.messages_sent,
           CAST(t.date_sent - CAST($9 AS INTEGER) AS DATE) AS before_from,
           CAST(t.date_sent + CAST($9 AS INTEGER) - 1 AS DATE) AS after_to
    FROM text_campaigns t
    LEFT JOIN practice_list p USING (practice_code)
    WHERE ($1 = '' OR t.quarter >= $1) AND ($2 = '' OR t.quarter <= $2)
      AND ($3 = '' OR p.pcn = $3) AND ($4 = '' OR t.practice_code = $4)
),
referrals_counted AS (
    SELECT referral_id, practice_code, referral_date
    FROM filtered_referrals('', '', $3, $4, $5, $6, $7, $8)
),
counted AS (
    SELECT c.practice_code, c.date_sent,
           count(DISTINCT r.referral_id) FILTER (WHERE r.referral_date < c.date_sent) AS before,
           count(DISTINCT r.referral_id) FILTER (WHERE r.referral_date >= c.date_sent) AS after
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
                 AND abs(o.date_sent - c.date_sent) < CAST($9 AS INTEGER)) AS overlaps
FROM campaigns c
CROSS JOIN bounds b
LEFT JOIN counted n USING (practice_code, date_sent)
ORDER BY c.date_sent, c.practice_code;
