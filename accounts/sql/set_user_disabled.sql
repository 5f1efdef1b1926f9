-- Disables ($2 true) or enables ($2 false) a user.
UPDATE users
SET disabled = $2, updated_at = $3
WHERE user_id = $1;
