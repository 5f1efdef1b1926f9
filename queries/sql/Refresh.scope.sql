-- What a load of one quarter touched, for Refresh to recompute the derived
-- tables for it alone. The loader leaves the quarter's new rows in the
-- tables (quarter = $quarter) and the rows they replaced, on a restatement,
-- in replaced_TABLE; both count, since removing a row changes the facts
-- as much as adding one. Each per-referral definition of
-- Refresh.referral_facts.sql reads rows of the referral itself, except:
--   * the sessions held of the course it started, and the slot of the
--     course it was first booked on: anyone's attendance of that course,
--     and the course's own row (refresh_courses);
--   * the previous referral: the person's other referrals from the same
--     practice (the scope is closed over people below);
--   * the practice's network: its latest snapshot, compared with what the
--     facts hold;
--   * the as-of date: Refresh.referral_as_of.sql.
-- outcome_facts also reads the practice's GP codes for the patient, and
-- course_facts the bookings of each course.
-- Any superset of the truly changed referrals gives the same tables;
-- TestIncrementalRefreshEqualsFull compares them with a full rebuild.

-- Courses whose rows or attendance the load changed.
CREATE OR REPLACE TEMP TABLE refresh_courses AS
SELECT course_id FROM attendance WHERE quarter = $quarter
UNION SELECT course_id FROM replaced_attendance
UNION SELECT course_id FROM courses WHERE quarter = $quarter
UNION SELECT course_id FROM replaced_courses;

-- Referrals whose own rows changed, that started a course above, or whose
-- practice's latest network is not the one their facts hold.
CREATE OR REPLACE TEMP TABLE refresh_seed AS
SELECT referral_id FROM referrals WHERE quarter = $quarter
UNION SELECT referral_id FROM replaced_referrals
UNION SELECT referral_id FROM attendance WHERE quarter = $quarter
UNION SELECT referral_id FROM replaced_attendance
UNION SELECT referral_id FROM outcomes WHERE quarter = $quarter
UNION SELECT referral_id FROM replaced_outcomes
UNION SELECT referral_id FROM followups WHERE quarter = $quarter
UNION SELECT referral_id FROM replaced_followups
UNION SELECT referral_id FROM referral_facts
      WHERE started_course_id IN (SELECT course_id FROM refresh_courses)
         OR first_course_id IN (SELECT course_id FROM refresh_courses)
UNION SELECT f.referral_id
      FROM referral_facts f LEFT JOIN latest_practices() p USING (practice_code)
      WHERE p.pcn IS DISTINCT FROM f.pcn;

-- The referrals of referral_facts to recompute: the seed and every other
-- referral of the same people (practice, patient, patient or carer), as
-- they are now and as the replaced rows had them, so that each previous
-- referral is found among them.
CREATE OR REPLACE TEMP TABLE refresh_scope AS
WITH people AS (
    SELECT practice_code, patient_id, patient_or_carer
    FROM referrals WHERE referral_id IN (SELECT referral_id FROM refresh_seed)
    UNION SELECT practice_code, patient_id, patient_or_carer FROM replaced_referrals
)
SELECT referral_id FROM refresh_seed
UNION
SELECT r.referral_id FROM referrals r SEMI JOIN people p USING (practice_code, patient_id, patient_or_carer);

-- The referrals of outcome_facts to recompute: those above, and those of
-- the patients whose GP codes the load changed.
CREATE OR REPLACE TEMP TABLE refresh_outcome_scope AS
SELECT referral_id FROM refresh_scope
UNION
SELECT r.referral_id FROM referrals r SEMI JOIN (
    SELECT practice_code, patient_id FROM gp_codes WHERE quarter = $quarter
    UNION ALL SELECT practice_code, patient_id FROM replaced_gp_codes
) g USING (practice_code, patient_id);

CREATE OR REPLACE TEMP VIEW refresh_referrals AS
SELECT * FROM referrals WHERE referral_id IN (SELECT referral_id FROM refresh_scope);
CREATE OR REPLACE TEMP VIEW refresh_attendance AS
SELECT * FROM attendance WHERE referral_id IN (SELECT referral_id FROM refresh_scope);
CREATE OR REPLACE TEMP VIEW refresh_outcomes AS
SELECT * FROM outcomes WHERE referral_id IN (SELECT referral_id FROM refresh_scope);
CREATE OR REPLACE TEMP VIEW refresh_followups AS
SELECT * FROM followups WHERE referral_id IN (SELECT referral_id FROM refresh_scope);
CREATE OR REPLACE TEMP VIEW refresh_notified_outcomes AS
SELECT * FROM outcomes WHERE referral_id IN (SELECT referral_id FROM refresh_outcome_scope);
CREATE OR REPLACE TEMP VIEW refresh_course_attendance AS
SELECT * FROM attendance WHERE course_id IN (SELECT course_id FROM refresh_courses);
-- The other courses keep their counts; a course nobody booked has none to keep.
CREATE OR REPLACE TEMP TABLE refresh_kept_bookings AS
SELECT course_id, booked, started FROM course_facts
WHERE booked > 0 AND course_id NOT IN (SELECT course_id FROM refresh_courses);

DELETE FROM referral_facts WHERE referral_id IN (SELECT referral_id FROM refresh_scope);
DELETE FROM outcome_facts WHERE referral_id IN (SELECT referral_id FROM refresh_outcome_scope);
