-- A new session for a user who exists and is not disabled; inserts nothing
-- otherwise. $1 is the SHA-256 of the token, never the token.
INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
SELECT $1, user_id, $3, $4, $3
FROM users
WHERE user_id = $2 AND NOT disabled;
