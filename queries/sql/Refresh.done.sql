-- What Refresh made for itself while it ran (Refresh.scope_all.sql,
-- Refresh.scope.sql), dropped so that nothing of it outlives the refresh.
DROP TABLE IF EXISTS refresh_notified;
DROP VIEW IF EXISTS refresh_referrals;
DROP VIEW IF EXISTS refresh_attendance;
DROP VIEW IF EXISTS refresh_outcomes;
DROP VIEW IF EXISTS refresh_followups;
DROP VIEW IF EXISTS refresh_notified_outcomes;
DROP VIEW IF EXISTS refresh_course_attendance;
DROP TABLE IF EXISTS refresh_kept_bookings;
DROP TABLE IF EXISTS refresh_outcome_scope;
DROP TABLE IF EXISTS refresh_scope;
DROP TABLE IF EXISTS refresh_seed;
DROP TABLE IF EXISTS refresh_courses;
