-- Sessions past their absolute lifetime ($1 is now) or idle since before
-- $2 (now minus the idle timeout).
DELETE FROM sessions
WHERE expires_at <= $1 OR last_seen_at <= $2;
