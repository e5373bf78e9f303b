-- 0006 on PostgreSQL (follows the translation of migrations/0006_stats_generation.sql):
-- the triggers that count changes to the rows the statistics are made from. One trigger
-- function; a row trigger per table and operation, as SQLite's are per row.
CREATE FUNCTION stats_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_gen_org AFTER INSERT OR UPDATE OR DELETE ON org
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_topic AFTER INSERT OR UPDATE OR DELETE ON topic
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_session AFTER INSERT OR UPDATE OR DELETE ON session
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_invitation AFTER INSERT OR UPDATE OR DELETE ON invitation
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_person AFTER INSERT OR UPDATE OR DELETE ON person
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_suggestion AFTER INSERT OR UPDATE OR DELETE ON suggestion
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_output AFTER INSERT OR UPDATE OR DELETE ON output
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_output_session AFTER INSERT OR UPDATE OR DELETE ON output_session
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
CREATE TRIGGER stats_gen_adoption AFTER INSERT OR UPDATE OR DELETE ON adoption
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
