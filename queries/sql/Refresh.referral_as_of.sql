-- After an incremental refresh, the columns of referral_facts that depend
-- on the as-of date (the end of the latest quarter loaded), for the
-- referrals not recomputed: a load of a new latest quarter moves it for
-- everyone. Each expression is the one of Refresh.referral_facts.sql
-- (conversion_final, unmet_final, followup_due), which
-- TestIncrementalRefreshEqualsFull holds them to.
--   $conversion_window_days, $unmet_window_days, $followup_window_days: as there
UPDATE referral_facts
SET as_of = p.as_of,
    conversion_final = (referral_date + CAST($conversion_window_days AS INTEGER) <= p.as_of),
    unmet_final = (referral_date + CAST($unmet_window_days AS INTEGER) <= p.as_of),
    followup_due = coalesce(notified_date + CAST($followup_window_days AS INTEGER) <= p.as_of, false)
FROM (SELECT quarter_end(max(quarter)) AS as_of FROM loads) p
WHERE referral_facts.as_of IS DISTINCT FROM p.as_of;
