-- 0002 on PostgreSQL (follows the translation of migrations/0002_sessions.sql): the search
-- index. SQLite keeps it in an FTS5 table with the CJK bigram tokenizer; here it is a plain
-- table whose terms column holds the same tokens as a tsvector, made in C by the same
-- tokenizer (src/db/cjk.c, src/model/search.c), with a GIN index. rowid keeps its SQLite
-- name, so the model's deletes and lookups by rowid read the same on both.
CREATE TABLE search_index (
	rowid BIGINT PRIMARY KEY,
	title TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	ref BIGINT NOT NULL,
	session BIGINT NOT NULL DEFAULT 0,
	org BIGINT NOT NULL,
	-- empty for a row written without it (shenliao copy from SQLite, whose FTS5 table has
	-- no such column): cjk_fill_terms (src/db/cjk.c) makes it afterwards
	terms tsvector NOT NULL DEFAULT ''
);
CREATE INDEX search_index_terms ON search_index USING gin (terms);
