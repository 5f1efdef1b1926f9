-- Which quarters are loaded, oldest first.
SELECT DISTINCT quarter FROM loads ORDER BY quarter;
