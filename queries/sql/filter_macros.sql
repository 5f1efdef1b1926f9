-- Table macros for the global filter (queries.Filter, bound by name as
-- $from, $to, $pcn, $practice, $mode, $language, $referrer and $channel;
-- '' means no filter on that field). They read the derived tables, so
-- Store runs this file after building them. Statements end with a
-- semicolon at the end of a line.

-- Whether a referral, by its quarter, network, practice, preferred mode,
-- language, referrer and channel, is under the filter: the one place the
-- filter is written.
CREATE OR REPLACE MACRO in_filter(quarter, pcn, practice_code, preferred_mode, language, referrer, channel,
                                  q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS
    in_quarters(quarter, q_from, q_to)
    AND is_chosen(pcn, f_pcn)
    AND is_chosen(practice_code, f_practice)
    AND is_chosen(preferred_mode, f_mode)
    AND is_chosen(lower(language), lower(f_language))
    AND is_chosen(referrer, f_referrer)
    AND is_chosen(channel, f_channel);

-- Referrals under the filter.
CREATE OR REPLACE MACRO filtered_referrals(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT * FROM referral_facts
    WHERE in_filter(quarter, pcn, practice_code, preferred_mode, language, referrer, channel,
                    q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel);

-- Eligible non-attenders under the filter, counted per practice and
-- referral quarter by how far their follow-up got: FollowUp.sql adds these
-- up, and Refresh.followup_counts.sql keeps them for no filter on the
-- referrals' own attributes. The stage each reached, written here alone:
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
-- bin's edge. Stage 0 is the rest of non_attenders; FollowUp adds the days
-- columns up into the due and the followed up in time. Definitions
-- (non_attender, followup_due, days_to_followup, re_engaged) live in
-- Refresh.referral_facts.sql.
CREATE OR REPLACE MACRO followup_tally(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    WITH stages AS (
        SELECT practice_code, pcn, quarter,
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
        FROM filtered_referrals(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel)
        WHERE non_attender
    )
    SELECT practice_code, pcn, quarter,
           count(*) AS non_attenders,
           count(*) FILTER (WHERE stage = 1) AS not_yet_due,
           count(*) FILTER (WHERE in_time) AS followed_up_in_time,
           count(*) FILTER (WHERE in_time AND first_followup_by = 'practice') AS followed_up_by_practice,
           count(*) FILTER (WHERE in_time AND first_followup_by = 'provider') AS followed_up_by_provider,
           count(*) FILTER (WHERE stage = 2) AS days_0_7,
           count(*) FILTER (WHERE stage = 3) AS days_8_14,
           count(*) FILTER (WHERE stage = 4) AS days_15_21,
           count(*) FILTER (WHERE stage = 5) AS days_22_28,
           count(*) FILTER (WHERE stage = 6) AS days_29_42,
           count(*) FILTER (WHERE stage = 7) AS days_43_plus,
           count(*) FILTER (WHERE stage = 8) AS never,
           count(*) FILTER (WHERE in_time AND re_engaged) AS re_engaged_followed_up,
           count(*) FILTER (WHERE stage >= 2 AND NOT in_time AND re_engaged) AS re_engaged_not_followed_up
    FROM stages
    GROUP BY practice_code, pcn, quarter;

-- Provider outcomes notified to practices, under the filter applied to the
-- referral each belongs to (outcome_facts carries its fields).
CREATE OR REPLACE MACRO filtered_outcomes(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT * FROM outcome_facts
    WHERE in_filter(quarter, pcn, practice_code, preferred_mode, language, referrer, channel,
                    q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel);

-- Referrals under the filter, counted per practice and referral quarter
-- for the overview's quarterly measures: Trends.sql adds these up, and
-- Refresh.trend_counts.sql keeps them for no filter on the referrals' own
-- attributes. Definitions (eligible, converted, completed, non_attender,
-- followup_due, followed_up_in_window) live in Refresh.referral_facts.sql.
CREATE OR REPLACE MACRO trend_tally(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT practice_code, pcn, quarter,
           count(*) AS referrals,
           count(*) FILTER (WHERE eligible) AS eligible,
           count(*) FILTER (WHERE eligible AND converted) AS converted,
           count(*) FILTER (WHERE eligible AND completed) AS completed,
           count(*) FILTER (WHERE non_attender AND followup_due) AS followup_due,
           count(*) FILTER (WHERE non_attender AND followup_due AND followed_up_in_window) AS followed_up,
           -- Non-attenders notified less than the follow-up window ago: they
           -- will join the rate, so it may still change. Those the practice
           -- was never notified about are not in the rate at all (it starts
           -- at notification; FollowUp reports them as not yet notified), so
           -- they must not hold a cohort provisional for ever.
           count(*) FILTER (WHERE non_attender AND notified_date IS NOT NULL AND NOT followup_due) AS followup_pending
    FROM filtered_referrals(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel)
    GROUP BY practice_code, pcn, quarter;

-- Provider outcomes notified to practices under the filter, counted per
-- practice, referral quarter and outcome category: all notified; those
-- still inside the coding window; those whose window has passed (due);
-- and of those, the ones coded within it. CodingCompleteness.sql and
-- Trends.sql add these up, and Refresh.coding_counts.sql keeps them for no
-- filter on the referrals' own attributes. Definitions (coded, coding_due,
-- code_category) live in Refresh.outcome_facts.sql.
CREATE OR REPLACE MACRO coding_tally(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT practice_code, pcn, quarter, code_category,
           count(*) AS notified,
           count(*) FILTER (WHERE NOT coding_due) AS inside_window,
           count(*) FILTER (WHERE coding_due) AS due,
           count(*) FILTER (WHERE coding_due AND coded) AS coded_in_window
    FROM filtered_outcomes(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel)
    GROUP BY practice_code, pcn, quarter, code_category;

-- Courses under the course part of the filter: quarter of first session,
-- mode and language.
CREATE OR REPLACE MACRO filtered_courses(q_from, q_to, f_mode, f_language) AS TABLE
    SELECT * FROM course_facts
    WHERE in_quarters(quarter, q_from, q_to)
      AND is_chosen(mode, f_mode)
      AND is_chosen(lower(language), lower(f_language));
