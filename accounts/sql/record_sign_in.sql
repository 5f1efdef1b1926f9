-- A successful sign-in at $2.
UPDATE users
SET last_sign_in_at = $2
WHERE user_id = $1;
