-- How many eligible referrals prefer each slot ('weekday daytime',
-- 'weekday evening', 'weekend', 'no preference').
--   $1..$8  the global filter (queries.Filter)
SELECT preferred_slot, count(*) AS referrals
FROM filtered_referrals($1, $2, $3, $4, $5, $6, $7, $8)
WHERE eligible
GROUP BY preferred_slot;
