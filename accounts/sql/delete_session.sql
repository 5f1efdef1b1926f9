-- Ends one session (sign-out, or found expired).
DELETE FROM sessions
WHERE token_hash = $1;
