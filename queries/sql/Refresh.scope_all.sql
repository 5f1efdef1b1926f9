-- The sources of a full rebuild of the derived tables: every row. After a
-- load, Refresh.scope.sql makes the same views over the rows of what the
-- load touched instead. Refresh.done.sql drops them.
CREATE OR REPLACE TEMP VIEW refresh_referrals AS SELECT * FROM referrals;
CREATE OR REPLACE TEMP VIEW refresh_attendance AS SELECT * FROM attendance;
CREATE OR REPLACE TEMP VIEW refresh_outcomes AS SELECT * FROM outcomes;
CREATE OR REPLACE TEMP VIEW refresh_followups AS SELECT * FROM followups;
CREATE OR REPLACE TEMP VIEW refresh_notified_outcomes AS SELECT * FROM outcomes;
CREATE OR REPLACE TEMP VIEW refresh_course_attendance AS SELECT * FROM attendance;
CREATE OR REPLACE TEMP TABLE refresh_kept_bookings (course_id VARCHAR, booked BIGINT, started BIGINT);
