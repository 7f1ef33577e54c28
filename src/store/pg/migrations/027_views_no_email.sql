-- PostgreSQL twin of src/store/migrations/027_views_no_email.sql
-- (docs/pg-schema.md).
-- 027: a saved view never keeps a customer's e-mail address (a sealed
-- personal field): before this, a view's filters could hold
-- customer_email in clear, shown to every reader of a shared view. The
-- API refuses it since; this removes it from views saved before.
-- SQLite's json_valid guard is pg_input_is_valid on PostgreSQL 16; on 15
-- a text that is not a JSON object is skipped by gh_json_object, which
-- returns NULL instead of failing the migration (core only ever saved
-- objects, so nothing is skipped in practice). filters stays text, now in
-- jsonb's canonical form ({"k": "v"}). Safe to run again (the store
-- suite re-runs it on a view saved with the address).
CREATE OR REPLACE FUNCTION gh_json_object(t text) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
	IF jsonb_typeof(t::jsonb) = 'object' THEN
		RETURN t::jsonb;
	END IF;
	RETURN NULL;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN NULL;
END $$;

UPDATE saved_views
	SET filters = (gh_json_object(filters) - 'customer_email')::text
	WHERE gh_json_object(filters) ? 'customer_email';
