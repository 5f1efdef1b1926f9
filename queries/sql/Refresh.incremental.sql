-- Whether a refresh can be incremental, without an error that would abort
-- the load's transaction: the derived tables and their state exist, and
-- the loader left the rows it replaced (replaced_TABLE, ingest.Loader),
-- which it does only inside a load. Refresh.state.sql then says which load.
SELECT (SELECT count(*) FROM duckdb_tables()
        WHERE NOT temporary AND table_name IN ('derived_state', 'referral_facts', 'outcome_facts', 'course_facts',
                                               'equity_group_values', 'practice_quarter_counts')) = 6
   AND (SELECT count(*) FROM duckdb_tables()
        WHERE temporary AND table_name IN ('replaced_referrals', 'replaced_attendance', 'replaced_outcomes',
                                           'replaced_followups', 'replaced_courses', 'replaced_gp_codes')) = 6;
