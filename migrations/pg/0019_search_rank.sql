-- 0019 on PostgreSQL (follows the translation of migrations/0019_search_rank.sql, whose
-- triggers are written here in PostgreSQL's way): the generation triggers, and each index
-- row's token count, summed into search_stats by search_put and search_drop
-- (src/model/search.c) so that bm25's mean length is FTS5's. A database is made new at the
-- newest schema (init, demo, copy; copy counts the tokens of the rows it copies in
-- cjk_fill_terms, src/db/cjk.c), so no row is indexed yet at this point.
ALTER TABLE search_index ADD COLUMN ntok INTEGER NOT NULL DEFAULT 0;
CREATE FUNCTION search_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER search_gen_session AFTER INSERT OR UPDATE OR DELETE ON session
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_org AFTER INSERT OR UPDATE OR DELETE ON org
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_session_org AFTER INSERT OR UPDATE OR DELETE ON session_org
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_room AFTER INSERT OR UPDATE OR DELETE ON room
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_output_author AFTER INSERT OR UPDATE OR DELETE ON output_author
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_output_handler AFTER INSERT OR UPDATE OR DELETE ON output_handler
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
CREATE TRIGGER search_gen_person AFTER INSERT OR UPDATE OR DELETE ON person
	FOR EACH ROW EXECUTE FUNCTION search_gen_bump();
