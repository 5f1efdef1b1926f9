-- After an incremental refresh, the columns of outcome_facts that depend
-- on the as-of date, for the outcomes not recomputed: as_of, copied from
-- referral_facts (already brought up to date by Refresh.referral_as_of.sql),
-- and coding_due, as in Refresh.outcome_facts.sql.
--   $coding_window_days  as there
UPDATE outcome_facts
SET as_of = r.as_of,
    coding_due = (outcome_facts.notified_date + CAST($coding_window_days AS INTEGER) <= r.as_of)
FROM referral_facts r
WHERE r.referral_id = outcome_facts.referral_id AND outcome_facts.as_of IS DISTINCT FROM r.as_of;
