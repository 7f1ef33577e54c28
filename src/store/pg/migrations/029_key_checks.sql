-- PostgreSQL twin of src/store/migrations/029_key_checks.sql.
-- 029: the check value of each field key that `gatehouse keys add` (or
-- rotate) wrote; `keys use` on a node compares its keys/N.key with it.
CREATE TABLE key_checks (
	key_id      bigint PRIMARY KEY CHECK (key_id >= 2),
	check_value bytea NOT NULL CHECK (octet_length(check_value) = 16),
	created_at  bigint NOT NULL
);
