-- One line of the audit log.
INSERT INTO audit_log (occurred_at, username, role, action, detail, remote_addr)
VALUES ($1, $2, $3, $4, $5, $6);
