-- referral_facts: one row per referral holding every per-referral
-- definition the indicators share (eligible, booked, converted, completed,
-- non-attender, followed up, re-engaged, ...), so that each definition is
-- written once. Derived state, built by Store.Refresh: in full, or, after a
-- load, for the referrals it touched alone (INSERT in place of CREATE).
-- The refresh_* sources are views Refresh makes over the tables
-- (Refresh.scope_all.sql, Refresh.scope.sql): the whole table, or the
-- rows of the referrals being recomputed.
-- Definitions and the reasons for them: docs/indicators.md.
--   $conversion_window_days     days after referral (180)
--   $completion_sessions        sessions of one course that count as completing it (5)
--   $followup_window_days       days after the practice is notified (28)
--   $min_years_since_diagnosis  for a patient to be eligible (0.25)
--   $unmet_window_days          days after referral (90)
CREATE OR REPLACE TABLE referral_facts AS
WITH params AS (
    SELECT CAST($conversion_window_days AS INTEGER) AS conversion_days,
           CAST($completion_sessions AS INTEGER) AS completion_sessions,
           CAST($followup_window_days AS INTEGER) AS followup_days,
           CAST($min_years_since_diagnosis AS DOUBLE) AS min_years,
           CAST($unmet_window_days AS INTEGER) AS unmet_days,
           -- Data are complete up to the end of the latest quarter loaded.
           (SELECT quarter_end(max(quarter)) FROM loads) AS as_of
),
ineligible AS (
    SELECT DISTINCT referral_id FROM refresh_outcomes WHERE outcome = 'ineligible'
),
-- The referrals' categorical fields as ENUMs of the data contract's
-- values (ingest.Tables), which ingest has already checked and spelt as
-- the contract does. An ENUM is stored as a small number. As text, these
-- few-valued columns were compressed string by string each time the table
-- was written, and writing it took about 2 s longer at England scale. Each
-- list is in byte order, the order DuckDB sorts text in, so that ORDER BY,
-- min and max give what they gave on text; a comparison with any text (a
-- filter's value, a literal) compares as text. TestFactsEnumsMatchContract
-- holds these lists to the contract.
typed_referrals AS (
    SELECT * REPLACE (
        CAST(referrer AS ENUM('GP', 'nurse', 'other', 'self')) AS referrer,
        CAST(channel AS ENUM('e-referral', 'email', 'letter', 'phone', 'text message')) AS channel,
        CAST(patient_or_carer AS ENUM('carer', 'patient')) AS patient_or_carer,
        CAST(age_band AS ENUM('18-39', '40-49', '50-59', '60-69', '70-79', '80+')) AS age_band,
        CAST(sex AS ENUM('female', 'male', 'not stated', 'other')) AS sex,
        CAST(ethnic_group AS ENUM('Asian', 'Black', 'Mixed', 'Not stated', 'Other', 'White')) AS ethnic_group,
        CAST(preferred_mode AS ENUM('face-to-face', 'no preference', 'online')) AS preferred_mode,
        CAST(preferred_slot AS ENUM('no preference', 'weekday daytime', 'weekday evening', 'weekend')) AS preferred_slot)
    FROM refresh_referrals
),
-- Each person's record on each course they were booked on. The sessions
-- present at are gathered once, unordered (only their bit mask is used),
-- and counted from that list: count(DISTINCT) here kept a second hash
-- table of every (referral, course, session) and was the dearest part of
-- this statement.
per_course AS (
    SELECT *, coalesce(len(list_distinct(sessions_present)), 0) AS sessions_attended
    FROM (
        SELECT referral_id, course_id,
               min(session_date) AS course_start,
               min(session_date) FILTER (WHERE attended) AS first_attended,
               list(session_number) FILTER (WHERE attended) AS sessions_present
        FROM refresh_attendance GROUP BY referral_id, course_id
    )
),
-- How far each course has got: the highest session recorded for anyone,
-- so over all of attendance, not only the referrals being recomputed.
course_held AS (
    SELECT course_id, max(session_number) AS sessions_held FROM attendance GROUP BY course_id
),
per_referral AS (
    SELECT pc.referral_id,
           -- The first course the person was booked on. Two courses can
           -- start on the same day: the lowest course id is taken, so the
           -- answer (and the booked slot in waits_by_slot.sql) does not
           -- depend on the order of rows. course_id is never NULL.
           arg_min(pc.course_id, {'d': pc.course_start, 'c': pc.course_id}) AS first_course_id,
           min(pc.course_start) AS first_course_start,
           min(pc.first_attended) AS first_attended,
           -- completion counts only a course the person started inside the window
           max(pc.sessions_attended) FILTER (WHERE pc.first_attended <= r.referral_date + p.conversion_days) AS sessions_in_window,
           -- The course of the first attended session (ties: lowest course id),
           -- with the sessions attended on it, for session retention. The
           -- value is a struct, never NULL itself, and the FILTER leaves out
           -- courses never attended, so arg_min skips nothing.
           arg_min({'course_id': pc.course_id, 'present': pc.sessions_present},
                   {'d': pc.first_attended, 'c': pc.course_id})
               FILTER (WHERE pc.first_attended IS NOT NULL) AS started
    FROM per_course pc JOIN refresh_referrals r USING (referral_id) CROSS JOIN params p
    GROUP BY pc.referral_id
),
-- The quarter of each person's previous referral from the same practice
-- (see previous_referral_quarter below). The window runs over the few
-- columns it needs, not the wide rows of facts, and only over the people
-- referred more than once (under 2% at England scale): everyone else has
-- no previous referral. Only non-NULL results are kept, so the join is small.
repeat_people AS (
    SELECT practice_code, patient_id, patient_or_carer
    FROM refresh_referrals GROUP BY ALL HAVING count(*) > 1
),
previous AS (
    SELECT r.referral_id,
           lag(r.quarter) OVER (PARTITION BY r.practice_code, r.patient_id, r.patient_or_carer
                                ORDER BY r.referral_date, r.referral_id) AS previous_referral_quarter
    FROM refresh_referrals r
    SEMI JOIN repeat_people m
      ON r.practice_code IS NOT DISTINCT FROM m.practice_code
     AND r.patient_id IS NOT DISTINCT FROM m.patient_id
     AND r.patient_or_carer IS NOT DISTINCT FROM m.patient_or_carer
    QUALIFY previous_referral_quarter IS NOT NULL
),
-- The first time the provider recorded the person as not attending, with
-- that outcome's own notification date. outcomes has one row per
-- (referral_id, outcome_date), so the first is one row. arg_min_null, not
-- arg_min: arg_min skips rows whose value is NULL, so a first outcome the
-- practice was never told of would take a later outcome's notification
-- date and start a follow-up clock the docs say has not started ("not
-- yet notified"). The outcome is never NULL; arg_min_null there too says
-- that both columns come from the same row.
nonattend AS (
    SELECT referral_id,
           arg_min_null(outcome, outcome_date) AS outcome,
           min(outcome_date) AS outcome_date,
           arg_min_null(practice_notified_date, outcome_date) AS notified_date
    FROM refresh_outcomes
    WHERE outcome IN ('did not attend', 'declined', 'no response')
    GROUP BY referral_id
),
-- The first follow-up on or after that outcome, by whoever made it. The
-- practice and the provider can both follow up on that first day (the key
-- is referral, date and who): then the practice is credited, since the
-- indicator measures the practice's duty to follow up, and the credit
-- does not move with the order of rows. followup_by is never NULL.
first_followup AS (
    SELECT n.referral_id,
           min(f.followup_date) AS followup_date,
           arg_min(f.followup_by, {'d': f.followup_date, 'not_practice': f.followup_by <> 'practice'}) AS followup_by
    FROM nonattend n JOIN refresh_followups f
      ON f.referral_id = n.referral_id AND f.followup_date >= n.outcome_date
    GROUP BY n.referral_id
),
-- Attendance after the non-attendance outcome: the person came back.
reengaged AS (
    SELECT DISTINCT n.referral_id
    FROM nonattend n JOIN refresh_attendance a
      ON a.referral_id = n.referral_id AND a.attended AND a.session_date > n.outcome_date
),
facts AS (
    SELECT r.referral_id, r.patient_id, r.practice_code,
           coalesce(pl.pcn, '') AS pcn,
           r.quarter, r.referral_date, r.referrer, r.channel, r.patient_or_carer,
           r.age_band, r.sex, r.ethnic_group, r.language,
           CAST(r.years_since_diagnosis AS DOUBLE) AS years_since_diagnosis,
           r.imd_quintile, r.preferred_mode, r.preferred_slot,
           -- The quarter of this person's previous referral from the same
           -- practice (NULL for a first referral). Counting people rather
           -- than referrals over a quarter range is then a plain count of
           -- referrals whose previous one falls before the range: exact, and
           -- far cheaper than count(DISTINCT) at England scale.
           pq.previous_referral_quarter,
           p.as_of,
           -- Eligible: the provider did not rule the referral ineligible, and the
           -- person is a carer or was diagnosed at least min_years ago.
           (i.referral_id IS NULL
             AND (r.patient_or_carer = 'carer' OR coalesce(r.years_since_diagnosis, 0) >= p.min_years)) AS eligible,
           pr.first_course_id,
           -- The slot of that course, so that waits by slot need not join
           -- the courses on their text id at request time. course_facts is
           -- built first (Store.refresh); the slot is defined there alone.
           cf.slot AS first_course_slot,
           pr.first_course_start,
           pr.first_attended,
           CAST(pr.first_attended - r.referral_date AS INTEGER) AS days_to_first_session,
           CAST(pr.first_course_start - r.referral_date AS INTEGER) AS days_to_course_start,
           coalesce(pr.first_attended <= r.referral_date + p.conversion_days, false) AS converted,
           coalesce(pr.sessions_in_window, 0) AS sessions_attended,
           -- A cohort is final once its conversion window has passed.
           (r.referral_date + p.conversion_days <= p.as_of) AS conversion_final,
           coalesce(pr.first_course_start <= r.referral_date + p.unmet_days, false) AS booked_in_unmet_window,
           (r.referral_date + p.unmet_days <= p.as_of) AS unmet_final,
           -- Every outcome of the contract, not only the three nonattend
           -- keeps, so that the cast holds whatever nonattend selects.
           CAST(n.outcome AS ENUM('attended', 'completed', 'declined', 'did not attend', 'ineligible', 'no response')) AS nonattend_outcome,
           n.outcome_date AS nonattend_date,
           n.notified_date,
           ff.followup_date AS first_followup_date,
           CAST(ff.followup_by AS ENUM('practice', 'provider')) AS first_followup_by,
           CAST(ff.followup_date - n.notified_date AS INTEGER) AS days_to_followup,
           coalesce(ff.followup_date <= n.notified_date + p.followup_days, false) AS followed_up_in_window,
           -- Only non-attenders whose whole follow-up window has passed count.
           coalesce(n.notified_date + p.followup_days <= p.as_of, false) AS followup_due,
           (re.referral_id IS NOT NULL) AS re_engaged,
           pr.started['course_id'] AS started_course_id,
           -- The sessions present at, as bits (bit k-1 for session k), so that
           -- retention counts all seven sessions in one pass of integer tests.
           CAST(coalesce(list_sum(list_transform(pr.started['present'], x -> 1 << (x - 1))), 0) AS INTEGER) AS started_sessions_mask,
           ch.sessions_held AS started_course_sessions_held,
           p.completion_sessions
    FROM typed_referrals r
    CROSS JOIN params p
    -- The network from the practice's latest snapshot. Its name is not
    -- kept: pages take names from latest_practices() (FilterOptions) and
    -- practice_names (CampaignEffect), so a renamed practice need not
    -- recompute its referrals (Refresh.scope.sql).
    LEFT JOIN latest_practices() pl USING (practice_code)
    LEFT JOIN ineligible i USING (referral_id)
    LEFT JOIN per_referral pr USING (referral_id)
    LEFT JOIN nonattend n USING (referral_id)
    LEFT JOIN first_followup ff USING (referral_id)
    LEFT JOIN reengaged re USING (referral_id)
    LEFT JOIN previous pq USING (referral_id)
    LEFT JOIN course_held ch ON ch.course_id = pr.started['course_id']
    LEFT JOIN course_facts cf ON cf.course_id = pr.first_course_id
)
-- In no particular order. Sorting the 1.8M wide rows by quarter and
-- practice cost about a third of this statement at England scale (and a
-- MATERIALIZED step, to fit the sort in the memory limit), and bought
-- nothing measurable: a quarter's referrals fill about a row group, so
-- every row group holds every practice whatever the order, and the
-- indicators under one practice's filter took the same time either way.
-- An incremental refresh appends its rows at the end in any case.
SELECT * EXCLUDE (completion_sessions),
       (first_course_id IS NOT NULL) AS booked,
       (converted AND sessions_attended >= completion_sessions) AS completed,
       (eligible AND nonattend_outcome IS NOT NULL) AS non_attender
FROM facts;
