-- Replaces a hash made with older parameters by one of the same password
-- made with the current ones, unless the password changed meanwhile ($3 is
-- the hash that was verified).
UPDATE users
SET password_hash = $2
WHERE user_id = $1 AND password_hash = $3;
