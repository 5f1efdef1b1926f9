-- A page of the audit log, newest first: $1 events after skipping $2.
SELECT occurred_at, username, role, action, detail, remote_addr
FROM audit_log
ORDER BY occurred_at DESC, audit_id DESC
LIMIT $1 OFFSET $2;
