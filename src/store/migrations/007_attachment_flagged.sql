-- 007: the entries of an archive that the analyser flagged, kept with the
-- attachment's verdict so the console and the admin who decides on a
-- release see which file inside was the problem: a JSON array of
-- {entry, verdict, reasons} (paths as the analyser cleaned them: printable
-- ASCII; never content), at most 8 entries.
ALTER TABLE attachments ADD COLUMN flagged TEXT NOT NULL DEFAULT '[]';
