-- Records that a session was used at $2, which moves its idle timeout on.
UPDATE sessions
SET last_seen_at = $2
WHERE token_hash = $1;
