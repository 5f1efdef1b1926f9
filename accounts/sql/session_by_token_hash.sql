-- The session with this token hash and its user: the user's columns in the
-- order scanUser reads them, then the session's.
SELECT u.user_id, u.username, u.display_name, u.role, u.practice_code, u.password_hash,
       u.disabled, u.must_change_password, u.demo, u.last_sign_in_at, u.created_at, u.updated_at,
       s.user_id, s.created_at, s.expires_at, s.last_seen_at
FROM sessions s
JOIN users u USING (user_id)
WHERE s.token_hash = $1;
