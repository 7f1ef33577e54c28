-- 005: files attached to tickets, with the analyser's verdict. The content
-- is sealed (XChaCha20-Poly1305, associated data
-- "attachment:<sha256>:<ticket_id>", so a ciphertext moved to another row
-- or ticket no longer opens); sha256 is the hex digest of the stored
-- (possibly redacted) bytes. filename is the sanitised display name and is
-- never used as a storage name: the row id is. A quarantined file is not
-- handed out until an admin releases it (released_by, released_at).
-- reasons is a JSON array of reason codes; redactions a JSON array of
-- {type, count}: what was removed before storing, never the values.
-- Rows whose delete_after has passed are deleted by the retention purge.
CREATE TABLE attachments (
	id             INTEGER PRIMARY KEY,
	ticket_id      INTEGER NOT NULL REFERENCES tickets (id),
	uploader_realm TEXT NOT NULL CHECK (uploader_realm IN ('customer', 'staff')),
	uploader_id    INTEGER NOT NULL,
	filename       TEXT NOT NULL,
	size           INTEGER NOT NULL CHECK (size >= 0),
	sha256         TEXT NOT NULL,
	sniffed_type   TEXT NOT NULL,
	verdict        TEXT NOT NULL
	               CHECK (verdict IN ('clean', 'suspicious', 'dangerous')),
	reasons        TEXT NOT NULL DEFAULT '[]',
	redactions     TEXT NOT NULL DEFAULT '[]',
	quarantined    INTEGER NOT NULL CHECK (quarantined IN (0, 1)),
	released_by    INTEGER REFERENCES staff (id),
	released_at    INTEGER,
	content        BLOB NOT NULL,
	created_at     INTEGER NOT NULL,
	delete_after   INTEGER
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, id);
CREATE INDEX attachments_retention ON attachments (delete_after)
	WHERE delete_after IS NOT NULL;
