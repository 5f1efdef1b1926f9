-- The user with this username (stored lower-case), with their password hash.
-- Columns in the order scanUser reads them.
SELECT user_id, username, display_name, role, practice_code, password_hash,
       disabled, must_change_password, demo, last_sign_in_at, created_at, updated_at
FROM users
WHERE username = $1;
