-- How many eligible referrals prefer each slot ('weekday daytime',
-- 'weekday evening', 'weekend', 'no preference').
--   $from ... $channel  the global filter (queries.Filter)
SELECT preferred_slot, count(*) AS referrals
FROM filtered_referrals($from, $to, $pcn, $practice, $mode, $language, $referrer, $channel)
WHERE eligible
GROUP BY preferred_slot;
