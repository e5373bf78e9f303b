-- 0022 on PostgreSQL (follows the translation of migrations/0022_stats_cells.sql): the
-- triggers that note which statistics cells a change touched, one PL/pgSQL function per
-- table, row triggers as SQLite's are.
CREATE FUNCTION stats_mark_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.starts_at IS NOT NULL THEN
		INSERT INTO stats_dirty (org_id, at) VALUES (OLD.org_id, OLD.starts_at);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.starts_at IS NOT NULL THEN
		INSERT INTO stats_dirty (org_id, at) VALUES (NEW.org_id, NEW.starts_at);
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.starts_at IS DISTINCT FROM NEW.starts_at)
	THEN
		INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at
		FROM output_session os JOIN output o ON o.id = os.output_id
		WHERE os.session_id = OLD.id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_session_insert AFTER INSERT OR DELETE ON session
	FOR EACH ROW EXECUTE FUNCTION stats_mark_session();
CREATE TRIGGER stats_mark_session_update AFTER UPDATE OF org_id, topic_id, starts_at, status,
	formats, organizer_unit ON session FOR EACH ROW EXECUTE FUNCTION stats_mark_session();

CREATE FUNCTION stats_mark_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.topic_id = NEW.id AND s.starts_at IS NOT NULL;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_topic_domain AFTER UPDATE OF domain ON topic
	FOR EACH ROW EXECUTE FUNCTION stats_mark_topic();

-- invitations and suggestions: the cells of their session (old and new)
CREATE FUNCTION stats_mark_of_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
		WHERE s.id = OLD.session_id AND s.starts_at IS NOT NULL;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
		WHERE s.id = NEW.session_id AND s.starts_at IS NOT NULL;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_invitation AFTER INSERT OR UPDATE OR DELETE ON invitation
	FOR EACH ROW EXECUTE FUNCTION stats_mark_of_session();
CREATE TRIGGER stats_mark_suggestion AFTER INSERT OR DELETE ON suggestion
	FOR EACH ROW EXECUTE FUNCTION stats_mark_of_session();
CREATE TRIGGER stats_mark_suggestion_update AFTER UPDATE OF session_id ON suggestion
	FOR EACH ROW EXECUTE FUNCTION stats_mark_of_session();

CREATE FUNCTION stats_mark_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at
	FROM invitation i JOIN session s ON s.id = i.session_id
	WHERE i.person_id = NEW.id AND s.starts_at IS NOT NULL;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_person_category AFTER UPDATE OF category ON person
	FOR EACH ROW EXECUTE FUNCTION stats_mark_person();

CREATE FUNCTION stats_mark_output() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO stats_dirty (org_id, at) VALUES (OLD.org_id, OLD.dated_at);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO stats_dirty (org_id, at) VALUES (NEW.org_id, NEW.dated_at);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_output_insert AFTER INSERT OR DELETE ON output
	FOR EACH ROW EXECUTE FUNCTION stats_mark_output();
CREATE TRIGGER stats_mark_output_update AFTER UPDATE OF org_id, kind, state, dated_at,
	satisfaction, submitted_at, accepted_at, assigned_at, replied_at ON output
	FOR EACH ROW EXECUTE FUNCTION stats_mark_output();

-- adoptions and links to sessions: the cells of their output (old and new)
CREATE FUNCTION stats_mark_of_output() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
		WHERE o.id = OLD.output_id;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
		WHERE o.id = NEW.output_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_adoption AFTER INSERT OR UPDATE OR DELETE ON adoption
	FOR EACH ROW EXECUTE FUNCTION stats_mark_of_output();
CREATE TRIGGER stats_mark_output_session AFTER INSERT OR DELETE ON output_session
	FOR EACH ROW EXECUTE FUNCTION stats_mark_of_output();

CREATE FUNCTION stats_mark_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (0, NULL);
	RETURN NULL;
END
$$;
CREATE TRIGGER stats_mark_org_moved AFTER UPDATE OF parent_id, path ON org
	FOR EACH ROW EXECUTE FUNCTION stats_mark_all();
