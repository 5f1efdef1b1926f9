-- Table macros for the global filter (queries.Filter). They read the
-- derived tables, so Store runs this file after building them. Statements
-- end with a semicolon at the end of a line.

-- Referrals under the global filter (queries.Filter, bound as $1..$8 by
-- the caller). '' means "no filter on this field".
CREATE OR REPLACE MACRO filtered_referrals(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT * FROM referral_facts
    WHERE (q_from = '' OR quarter >= q_from)
      AND (q_to = '' OR quarter <= q_to)
      AND (f_pcn = '' OR pcn = f_pcn)
      AND (f_practice = '' OR practice_code = f_practice)
      AND (f_mode = '' OR preferred_mode = f_mode)
      AND (f_language = '' OR lower(language) = lower(f_language))
      AND (f_referrer = '' OR referrer = f_referrer)
      AND (f_channel = '' OR channel = f_channel);

-- Provider outcomes notified to practices, under the same filter applied
-- to the referral each outcome belongs to.
CREATE OR REPLACE MACRO filtered_outcomes(q_from, q_to, f_pcn, f_practice, f_mode, f_language, f_referrer, f_channel) AS TABLE
    SELECT * FROM outcome_facts
    WHERE (q_from = '' OR quarter >= q_from)
      AND (q_to = '' OR quarter <= q_to)
      AND (f_pcn = '' OR pcn = f_pcn)
      AND (f_practice = '' OR practice_code = f_practice)
      AND (f_mode = '' OR preferred_mode = f_mode)
      AND (f_language = '' OR lower(language) = lower(f_language))
      AND (f_referrer = '' OR referrer = f_referrer)
      AND (f_channel = '' OR channel = f_channel);

-- Courses under the course part of the filter: quarter of first session,
-- mode and language.
CREATE OR REPLACE MACRO filtered_courses(q_from, q_to, f_mode, f_language) AS TABLE
    SELECT * FROM course_facts
    WHERE (q_from = '' OR quarter >= q_from)
      AND (q_to = '' OR quarter <= q_to)
      AND (f_mode = '' OR mode = f_mode)
      AND (f_language = '' OR lower(language) = lower(f_language));
