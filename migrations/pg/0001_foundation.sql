-- 0001 on PostgreSQL (follows the translation of migrations/0001_foundation.sql): two of
-- SQLite's built-in functions the model calls, with SQLite's meaning, so the same SQL text
-- runs on both (docs/POSTGRESQL.md):
-- instr(a, b): the 1-based position of the first b in a, 0 when none (PostgreSQL: strpos);
CREATE FUNCTION instr(a text, b text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
	PARALLEL SAFE AS $$ SELECT strpos(a, b) $$;
-- typeof(v): SQLite's storage class of a value, as the audit chain records it ('null',
-- 'integer', 'real', 'text', 'blob'). A timestamptz or a boolean column holds what SQLite
-- keeps as an integer (unix seconds, 0/1): 'integer'.
CREATE FUNCTION typeof(v anyelement) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v IS NULL THEN 'null'
		WHEN pg_typeof(v) IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype,
			'timestamp with time zone'::regtype, 'boolean'::regtype)
		THEN 'integer'
		WHEN pg_typeof(v) IN ('double precision'::regtype, 'real'::regtype) THEN 'real'
		WHEN pg_typeof(v) = 'bytea'::regtype THEN 'blob'
		ELSE 'text' END
$$;
