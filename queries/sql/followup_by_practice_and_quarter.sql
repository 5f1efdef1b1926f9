-- Eligible non-attenders and their follow-up, by practice and by referral
-- quarter. Each non-attender is put in one state (below) and the states
-- are counted per practice and per quarter, in one pass; queries.FollowUp
-- turns states into figures, adds practices up for the borough and lists
-- practices and quarters with none. Counting one small key per referral
-- keeps this fast at England scale, and each practice's or quarter's counts
-- leave as one text of "state:count" pairs: scanning a row per state (about
-- 130,000 at England scale) through the driver took longer than the query. Definitions (non_attender,
-- followup_due, followed_up_in_window, re_engaged) live in
-- refresh_referral_facts.sql.
--   $1..$8  the global filter (queries.Filter)
--
-- state = stage * 6 + who * 2 + re_engaged, where
--   stage  0 not yet notified; 1 notified, follow-up window still open;
--          for due non-attenders (window passed), days from notification
--          to the first follow-up: 2 up to 7 (a follow-up made before the
--          notification counts here), 3 8-14, 4 15-21, 5 22-28, 6 29-42,
--          7 43 or more, 8 none recorded by the as-of date. Stages 2-5
--          are exactly the followed_up_in_window ones.
--   who    0 nobody, 1 the practice, 2 the provider (first follow-up)
--   re_engaged  1 when the person attended a session after the outcome
WITH states AS (
    SELECT practice_code, quarter,
           CASE WHEN notified_date IS NULL THEN 0
                WHEN NOT followup_due THEN 1
                WHEN first_followup_date IS NULL THEN 8
                WHEN days_to_followup <= 7 THEN 2
                WHEN days_to_followup <= 14 THEN 3
                WHEN days_to_followup <= 21 THEN 4
                WHEN days_to_followup <= 28 THEN 5
                WHEN days_to_followup <= 42 THEN 6
                ELSE 7 END * 6
           + CASE first_followup_by WHEN 'practice' THEN 2 WHEN 'provider' THEN 4 ELSE 0 END
           + CAST(re_engaged AS INTEGER) AS state
    FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
    WHERE non_attender
),
counts AS (
    SELECT grouping(practice_code) = 0 AS by_practice,
           coalesce(practice_code, quarter) AS key,
           state,
           count(*) AS non_attenders
    FROM states
    GROUP BY GROUPING SETS ((practice_code, state), (quarter, state))
)
SELECT by_practice, key, string_agg(state || ':' || non_attenders, ',') AS state_counts
FROM counts
GROUP BY by_practice, key;
