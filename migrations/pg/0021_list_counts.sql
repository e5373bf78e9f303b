-- pg: replace
-- 0021 on PostgreSQL (replaces the translation of migrations/0021_list_counts.sql, whose
-- first fill and triggers use SQLite's strftime): session_list_count and one PL/pgSQL trigger
-- function per table keeping it, the year of a start in China time by EXTRACT. A database
-- is made new at the newest schema here, so the first fill finds nothing; it is kept for
-- the same meaning. Also the index the list's keyset reads in order (newest first).
CREATE TABLE session_list_count (
	year BIGINT NOT NULL,
	domain TEXT COLLATE "C" NOT NULL,
	status TEXT COLLATE "C" NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (year, domain, status)
);
CREATE FUNCTION session_list_count_year(at TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN at IS NULL THEN 0
		ELSE CAST(EXTRACT(YEAR FROM (at + INTERVAL '8 hours') AT TIME ZONE 'UTC') AS BIGINT) END
$$;
INSERT INTO session_list_count (year, domain, status, n)
SELECT session_list_count_year(s.starts_at), t.domain, s.status, COUNT(*)
FROM session s JOIN topic t ON t.id = s.topic_id
WHERE s.visibility = 'public' AND s.status != 'draft'
GROUP BY 1, 2, 3;
CREATE INDEX session_start_id ON session(starts_at, id);

CREATE FUNCTION session_list_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.visibility = 'public'
		AND OLD.status != 'draft' THEN
		UPDATE session_list_count SET n = n - 1
		WHERE year = session_list_count_year(OLD.starts_at)
		AND domain = (SELECT t.domain FROM topic t WHERE t.id = OLD.topic_id)
		AND status = OLD.status;
		DELETE FROM session_list_count WHERE n <= 0;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.visibility = 'public'
		AND NEW.status != 'draft' THEN
		INSERT INTO session_list_count (year, domain, status, n)
		SELECT session_list_count_year(NEW.starts_at), t.domain, NEW.status, 1
		FROM topic t WHERE t.id = NEW.topic_id
		ON CONFLICT (year, domain, status) DO UPDATE SET n = session_list_count.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER session_list_count_insert AFTER INSERT OR DELETE ON session
	FOR EACH ROW EXECUTE FUNCTION session_list_count_keep();
CREATE TRIGGER session_list_count_update AFTER UPDATE OF visibility, status, starts_at, topic_id
	ON session FOR EACH ROW EXECUTE FUNCTION session_list_count_keep();

CREATE FUNCTION session_list_count_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE session_list_count c SET n = c.n - x.k
	FROM (SELECT session_list_count_year(s.starts_at) AS y, s.status AS st, COUNT(*) AS k
		FROM session s WHERE s.topic_id = NEW.id AND s.visibility = 'public'
		AND s.status != 'draft' GROUP BY 1, 2) x
	WHERE c.domain = OLD.domain AND c.year = x.y AND c.status = x.st;
	DELETE FROM session_list_count WHERE n <= 0;
	INSERT INTO session_list_count (year, domain, status, n)
	SELECT session_list_count_year(s.starts_at), NEW.domain, s.status, COUNT(*)
	FROM session s WHERE s.topic_id = NEW.id AND s.visibility = 'public' AND s.status != 'draft'
	GROUP BY 1, 3
	ON CONFLICT (year, domain, status) DO UPDATE SET n = session_list_count.n + excluded.n;
	RETURN NULL;
END
$$;
CREATE TRIGGER session_list_count_topic_domain AFTER UPDATE OF domain ON topic
	FOR EACH ROW WHEN (OLD.domain IS DISTINCT FROM NEW.domain)
	EXECUTE FUNCTION session_list_count_topic();
