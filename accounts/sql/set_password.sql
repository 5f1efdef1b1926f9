-- Gives a user a new password hash; $3 says whether they must choose their
-- own at the next sign-in. Lifts any lockout.
UPDATE users
SET password_hash = $2, must_change_password = $3,
    failed_attempts = 0, locked_until = NULL, updated_at = $4
WHERE user_id = $1;
