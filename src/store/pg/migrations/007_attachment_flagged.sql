-- 007 (PostgreSQL twin): the entries of an archive that the analyser
-- flagged, kept with the attachment's verdict: a JSON array of
-- {entry, verdict, reasons} (paths as the analyser cleaned them:
-- printable ASCII; never content), at most 8 entries.
ALTER TABLE attachments ADD COLUMN flagged text COLLATE "C" NOT NULL
	DEFAULT '[]';
