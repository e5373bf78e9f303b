-- 0015 on PostgreSQL (follows the translation of migrations/0015_joint.sql): the statistics
-- count joint sessions by their linked bodies, so a change to session_org bumps the
-- generation like the tables of 0006 (stats_gen_bump is defined there).
CREATE TRIGGER stats_gen_session_org AFTER INSERT OR DELETE ON session_org
	FOR EACH ROW EXECUTE FUNCTION stats_gen_bump();
