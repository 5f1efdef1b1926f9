-- A successful sign-in at $2: clears the failed attempts and any lock.
UPDATE users
SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = $2
WHERE user_id = $1;
