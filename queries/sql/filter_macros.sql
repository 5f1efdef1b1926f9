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

-- Provider outcomes notified to practices, under the filter applied to the
-- referral each belongs to (outcome_facts carries its fields).
CREATE OR REPLACE MACRO filtered_outcomes(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT * FROM outcome_facts
    WHERE in_filter(quarter, pcn, practice_code, preferred_mode, language, referrer, channel,
                    q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel);

-- Courses under the course part of the filter: quarter of first session,
-- mode and language.
CREATE OR REPLACE MACRO filtered_courses(q_from, q_to, f_mode, f_language) AS TABLE
    SELECT * FROM course_facts
    WHERE in_quarters(quarter, q_from, q_to)
      AND is_chosen(mode, f_mode)
      AND is_chosen(lower(language), lower(f_language));
