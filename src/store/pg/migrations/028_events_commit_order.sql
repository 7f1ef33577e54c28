-- PostgreSQL twin of src/store/migrations/028_events_commit_order.sql
-- (docs/pg-schema.md, "events").
-- 028: event ids are given in commit order. An append takes the audit
-- log's advisory lock (1195917653) before its id, held until its
-- transaction ends, so a stream reading "id > last" can no longer skip
-- an event committed late below one it returned. The transaction
-- horizon of 025 (txid < the snapshot's xmin) did not hold: an older
-- transaction could take a higher id and commit first. Its column goes.
ALTER TABLE events DROP COLUMN txid;
