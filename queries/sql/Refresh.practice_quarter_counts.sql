-- practice_quarter_counts: what PracticeBenchmark counts, per practice,
-- referral quarter and quarter of the person's previous referral (NULL
-- when none), so that a benchmark without a filter on the referrals' own
-- attributes (mode, language, referrer, channel) adds up about 155,000
-- rows at England scale instead of reading 1.8M referrals, which was most
-- of its time. Derived state, rebuilt whole by Store.Refresh after
-- referral_facts, incremental or not: one pass of nine columns.
-- PracticeBenchmark.sql counts the same from the referrals when such a
-- filter is set; TestPracticeBenchmarkKeptCountsEqualReferrals holds the
-- two equal.
CREATE OR REPLACE TABLE practice_quarter_counts AS
SELECT practice_code, quarter, previous_referral_quarter,
       -- Referral rate: people with diabetes referred (carers are not on
       -- the type 2 register); PracticeBenchmark keeps a person's first
       -- referral in the range by previous_referral_quarter.
       count(*) FILTER (WHERE patient_or_carer = 'patient') AS patients,
       -- Conversion: eligible referrals whose window has closed.
       count(*) FILTER (WHERE eligible AND conversion_final) AS conversion_den,
       count(*) FILTER (WHERE eligible AND conversion_final AND converted) AS conversion_num,
       -- Follow-up: non-attenders whose follow-up window has passed.
       count(*) FILTER (WHERE non_attender AND followup_due) AS followup_den,
       count(*) FILTER (WHERE non_attender AND followup_due AND followed_up_in_window) AS followup_num
FROM referral_facts
GROUP BY practice_code, quarter, previous_referral_quarter;
