-- 003: signed checkpoints of the audit log (RFC 6962 tree head over the
-- first tree_size records, Ed25519 signature by the key in audit.key).
CREATE TABLE audit_checkpoints (
	id         INTEGER PRIMARY KEY,
	tree_size  INTEGER NOT NULL,
	root       BLOB NOT NULL,
	signature  BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
