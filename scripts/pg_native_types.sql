-- scripts/pg_native_types.sql - brings a shenliao PostgreSQL database made before the native
-- types (times BIGINT unix seconds, flags SMALLINT CHECK (c IN (0, 1))) to the types the
-- translation of the migrations now gives (src/db/dialect.c, docs/POSTGRESQL.md "Types
-- chosen"), in place, in one transaction; in a database that has them already it does
-- nothing. Stop the serve processes, then:
--   psql -v ON_ERROR_STOP=1 -1 -f scripts/pg_native_types.sql postgresql://…/shenliao
-- (not a numbered migration: see docs/POSTGRESQL.md, "Upgrading a database made before").
-- What it does: a database made when times were BIGINT unix seconds and flags
-- SMALLINT CHECK (c IN (0, 1)) gets the native types the translation now gives
-- (src/db/dialect.c): every time column timestamptz (to_timestamp of its seconds), every flag
-- boolean (c <> 0), their defaults FALSE/TRUE. What depends on the old types is made again:
-- the flags' CHECKs (dropped), the partial index on vote_tally.audited, the trigger whose
-- WHEN reads session.starts_at/ends_at, and typeof(), which the audit chain hashes. The
-- same columns as the translation: at, *_at, output.reply_due, output.cosign_deadline,
-- rules.effective_from; the ten flags. In a database made since, every column already has
-- its type and nothing is done.
CREATE OR REPLACE FUNCTION typeof(v anyelement) RETURNS text LANGUAGE sql IMMUTABLE
	PARALLEL SAFE AS $$
	SELECT CASE WHEN v IS NULL THEN 'null'
		WHEN pg_typeof(v) IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype,
			'timestamp with time zone'::regtype, 'boolean'::regtype)
		THEN 'integer'
		WHEN pg_typeof(v) IN ('double precision'::regtype, 'real'::regtype) THEN 'real'
		WHEN pg_typeof(v) = 'bytea'::regtype THEN 'blob'
		ELSE 'text' END
$$;
DO $$
DECLARE
	r record;
	k record;
	old_trigger boolean := EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'session'
		AND column_name = 'starts_at' AND data_type = 'bigint');
BEGIN
	IF old_trigger THEN
		DROP TRIGGER IF EXISTS session_ics_sequence ON session;
	END IF;
	IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
		AND table_name = 'vote_tally' AND column_name = 'audited'
		AND data_type = 'smallint') THEN
		DROP INDEX IF EXISTS vote_tally_open;
	END IF;
	FOR r IN SELECT c.table_name AS t, c.column_name AS col FROM information_schema.columns c
		JOIN information_schema.tables tb ON tb.table_schema = c.table_schema
			AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() AND c.data_type = 'bigint'
		AND c.table_name != 'schema_migrations'
		AND (c.column_name = 'at' OR c.column_name LIKE '%\_at'
			OR (c.table_name, c.column_name) IN (('output', 'reply_due'),
				('output', 'cosign_deadline'), ('rules', 'effective_from')))
	LOOP
		EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING'
			' to_timestamp(%I)', r.t, r.col, r.col);
	END LOOP;
	FOR r IN SELECT c.table_name AS t, c.column_name AS col, c.column_default AS def
		FROM information_schema.columns c
		WHERE c.table_schema = current_schema() AND c.data_type = 'smallint'
		AND (c.table_name, c.column_name) IN (('users', 'disabled'), ('api_token', 'revoked'),
			('person', 'public_name'), ('invitation', 'attended'), ('output', 'reopened'),
			('room', 'open'), ('room', 'anonymous'), ('remark', 'erased'),
			('statement', 'erased'), ('vote_tally', 'audited'))
	LOOP
		-- the CHECK (c IN (0, 1)) of the column
		FOR k IN SELECT con.conname FROM pg_constraint con
			JOIN pg_class cl ON cl.oid = con.conrelid
			JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = ANY (con.conkey)
			WHERE con.contype = 'c' AND cl.relname = r.t AND a.attname = r.col
			AND cl.relnamespace = current_schema()::regnamespace
		LOOP
			EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.t, k.conname);
		END LOOP;
		EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT', r.t, r.col);
		EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE boolean USING %I <> 0', r.t,
			r.col, r.col);
		IF r.def IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT %s', r.t, r.col,
				CASE WHEN r.def = '1' THEN 'TRUE' ELSE 'FALSE' END);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema()
		AND indexname = 'vote_tally_open') THEN
		CREATE INDEX vote_tally_open ON vote_tally(minute) WHERE audited = FALSE;
	END IF;
	IF old_trigger THEN
		CREATE TRIGGER session_ics_sequence BEFORE UPDATE OF starts_at, ends_at, venue,
			title, status ON session FOR EACH ROW
		WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at
			OR OLD.ends_at IS DISTINCT FROM NEW.ends_at OR OLD.venue IS DISTINCT FROM NEW.venue
			OR OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status)
		EXECUTE FUNCTION session_ics_bump();
	END IF;
END
$$;
