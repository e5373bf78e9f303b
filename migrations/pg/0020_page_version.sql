-- 0020 on PostgreSQL (follows the translation of migrations/0020_page_version.sql): the
-- page version triggers as PL/pgSQL functions, a row trigger per table as SQLite's.
CREATE FUNCTION page_ver_bump(sid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF sid IS NOT NULL THEN
		INSERT INTO page_version (session_id, n) VALUES (sid, 1)
			ON CONFLICT (session_id) DO UPDATE SET n = page_version.n + 1;
	END IF;
END
$$;
-- a table with session_id: the new row's session, and the old one's when it moved
CREATE FUNCTION page_ver_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' THEN
		PERFORM page_ver_bump(NEW.session_id);
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.session_id <> NEW.session_id) THEN
		PERFORM page_ver_bump(OLD.session_id);
	END IF;
	RETURN NULL;
END
$$;
-- a suggestion's proposers and sources: the suggestion's session
CREATE FUNCTION page_ver_suggestion_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM page_ver_bump((SELECT session_id FROM suggestion WHERE id = OLD.suggestion_id));
	ELSE
		PERFORM page_ver_bump((SELECT session_id FROM suggestion WHERE id = NEW.suggestion_id));
	END IF;
	RETURN NULL;
END
$$;
-- the session itself: its page and the lists
CREATE FUNCTION page_ver_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM page_ver_bump(OLD.id);
	ELSE
		PERFORM page_ver_bump(NEW.id);
	END IF;
	UPDATE page_generation SET n = n + 1 WHERE id = 2;
	RETURN NULL;
END
$$;
-- bodies, topics, people: every page
CREATE FUNCTION page_gen_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER page_ver_session_org AFTER INSERT OR UPDATE OR DELETE ON session_org
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_invitation AFTER INSERT OR UPDATE OR DELETE ON invitation
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_remark AFTER INSERT OR UPDATE OR DELETE ON remark
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_commitment AFTER INSERT OR UPDATE OR DELETE ON commitment
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_session_point AFTER INSERT OR UPDATE OR DELETE ON session_point
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_suggestion AFTER INSERT OR UPDATE OR DELETE ON suggestion
	FOR EACH ROW EXECUTE FUNCTION page_ver_row();
CREATE TRIGGER page_ver_suggestion_proposer AFTER INSERT OR DELETE ON suggestion_proposer
	FOR EACH ROW EXECUTE FUNCTION page_ver_suggestion_part();
CREATE TRIGGER page_ver_suggestion_source AFTER INSERT OR DELETE ON suggestion_source
	FOR EACH ROW EXECUTE FUNCTION page_ver_suggestion_part();
CREATE TRIGGER page_ver_session AFTER INSERT OR UPDATE OR DELETE ON session
	FOR EACH ROW EXECUTE FUNCTION page_ver_session();
CREATE TRIGGER page_gen_org AFTER UPDATE OR DELETE ON org
	FOR EACH ROW EXECUTE FUNCTION page_gen_shared();
CREATE TRIGGER page_gen_topic AFTER UPDATE OR DELETE ON topic
	FOR EACH ROW EXECUTE FUNCTION page_gen_shared();
CREATE TRIGGER page_gen_person AFTER UPDATE OR DELETE ON person
	FOR EACH ROW EXECUTE FUNCTION page_gen_shared();
