-- Eligible non-attenders and their follow-up, one row per practice and one
-- per referral quarter (by_practice says which, key names it), in one pass
-- over the referrals. queries.FollowUp adds practices up for the borough
-- and lists practices and quarters with none. Definitions (non_attender,
-- followup_due, days_to_followup, re_engaged) live in
-- Refresh.referral_facts.sql.
--   $from ... $channel  the global filter (queries.Filter)
--
-- Each non-attender is first given the stage of follow-up they reached:
--   0  the practice not yet notified
--   1  notified, the follow-up window still open (not yet due)
--   2  due and followed up 0-7 days after the notification (a follow-up
--      made before the notification counts here), 3  8-14 days,
--      4  15-21 days, 5  22-28 days,
--   6  29-42 days, 7  43 days or more, 8  not followed up by the as-of date
-- The stages are bins of days for the distribution only. Whether a due
-- non-attender was followed up in time is followed_up_in_window, within
-- the configured window (28 days by default), exactly as in Trends and the
-- practice benchmark: with another window, "in time" no longer ends at a
-- bin's edge.
-- The people of each stage are counted per practice, by who followed them
-- up first, and per quarter, by whether they later attended; those few
-- counts are then added up into the columns below, one per stage from 1
-- (stage 0 is the rest of non_attenders; FollowUp adds the days columns up
-- into the due and the followed up in time). Who followed up is left out
-- of the quarters' rows, and re-engagement out of the practices': the
-- borough needs each once (every referral is in one practice and one
-- quarter), and counting by fewer things at a time, and adding up fewer
-- columns, is what keeps this as fast as it was when the states were
-- packed into numbers.
WITH stages AS (
    SELECT practice_code, quarter,
           CASE WHEN notified_date IS NULL THEN 0
                WHEN NOT followup_due THEN 1
                WHEN days_to_followup IS NULL THEN 8
                WHEN days_to_followup <= 7 THEN 2
                WHEN days_to_followup <= 14 THEN 3
                WHEN days_to_followup <= 21 THEN 4
                WHEN days_to_followup <= 28 THEN 5
                WHEN days_to_followup <= 42 THEN 6
                ELSE 7 END AS stage,
           followup_due AND followed_up_in_window AS in_time,
           first_followup_by,
           re_engaged
    FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
    WHERE non_attender
),
counts AS (
    SELECT grouping(practice_code) = 0 AS by_practice,
           coalesce(practice_code, quarter) AS key,
           stage, in_time, first_followup_by, re_engaged, count(*) AS people
    FROM stages
    GROUP BY GROUPING SETS ((practice_code, stage, in_time, first_followup_by), (quarter, stage, in_time, re_engaged))
)
SELECT by_practice, key,
       CAST(sum(people) AS BIGINT) AS non_attenders,
       CAST(sum(CASE WHEN stage = 1 THEN people ELSE 0 END) AS BIGINT) AS not_yet_due,
       CAST(sum(CASE WHEN in_time THEN people ELSE 0 END) AS BIGINT) AS followed_up_in_time,
       CAST(sum(CASE WHEN in_time AND first_followup_by = 'practice' THEN people ELSE 0 END) AS BIGINT) AS followed_up_by_practice,
       CAST(sum(CASE WHEN in_time AND first_followup_by = 'provider' THEN people ELSE 0 END) AS BIGINT) AS followed_up_by_provider,
       CAST(sum(CASE WHEN stage = 2 THEN people ELSE 0 END) AS BIGINT) AS days_0_7,
       CAST(sum(CASE WHEN stage = 3 THEN people ELSE 0 END) AS BIGINT) AS days_8_14,
       CAST(sum(CASE WHEN stage = 4 THEN people ELSE 0 END) AS BIGINT) AS days_15_21,
       CAST(sum(CASE WHEN stage = 5 THEN people ELSE 0 END) AS BIGINT) AS days_22_28,
       CAST(sum(CASE WHEN stage = 6 THEN people ELSE 0 END) AS BIGINT) AS days_29_42,
       CAST(sum(CASE WHEN stage = 7 THEN people ELSE 0 END) AS BIGINT) AS days_43_plus,
       CAST(sum(CASE WHEN stage = 8 THEN people ELSE 0 END) AS BIGINT) AS never,
       CAST(sum(CASE WHEN in_time AND re_engaged THEN people ELSE 0 END) AS BIGINT) AS re_engaged_followed_up,
       CAST(sum(CASE WHEN stage >= 2 AND NOT in_time AND re_engaged THEN people ELSE 0 END) AS BIGINT) AS re_engaged_not_followed_up
FROM counts
GROUP BY by_practice, key;
