-- Gives a user a new password hash; $3 says whether they must choose their
-- own at the next sign-in.
UPDATE users
SET password_hash = $2, must_change_password = $3, updated_at = $4
WHERE user_id = $1;
