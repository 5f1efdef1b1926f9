-- A wrong password at $2: one more consecutive failure, counted afresh when
-- an earlier lock ran out before $2; at $3 failures the account is locked
-- until $4. Returns the new count and lock end (NULL when not locked), or
-- no row when the account was already locked at $2: an attempt that
-- raced with the one that locked it is not counted and extends nothing.
UPDATE users
SET failed_attempts = CASE WHEN locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END,
    locked_until = CASE
        WHEN (CASE WHEN locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END) >= $3 THEN $4
        ELSE NULL
    END
WHERE user_id = $1 AND (locked_until IS NULL OR locked_until <= $2)
RETURNING failed_attempts, locked_until;
