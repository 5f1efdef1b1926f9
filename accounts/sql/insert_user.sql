-- A new user; returns the id the sequence gave them.
INSERT INTO users (username, display_name, role, practice_code, password_hash,
                   must_change_password, demo, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
RETURNING user_id;
