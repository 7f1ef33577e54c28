-- 028: nothing changes on SQLite. The PostgreSQL twin drops events.txid:
-- there, event ids are now given in commit order under an advisory lock
-- (docs/pg-schema.md, "events"); SQLite has one writer, so its ids
-- always were. Kept so both backends count the same migrations.
SELECT 1;
