-- 029: the check value of each field key that `gatehouse keys add` (or
-- rotate) wrote (crypto_ring_check: BLAKE2b-128 keyed with the key over a
-- fixed label; it names the key without revealing it). Each node has its
-- own copy of the key ring; `keys use` on a node compares its keys/N.key
-- with this row and refuses another key of the same number, which would
-- seal values no other node can open (docs/operations.md, "Key rotation").
CREATE TABLE key_checks (
	key_id      INTEGER PRIMARY KEY CHECK (key_id >= 2),
	check_value BLOB NOT NULL CHECK (length(check_value) = 16),
	created_at  INTEGER NOT NULL
);
