-- session_list_count keeps how many sessions the public list holds, by the list's filters (the
-- year of the start in China time, 0 for undated; the topic's domain; the status), so the
-- list's "page N of M" and the JSON list's total are a sum over a few rows instead of a
-- count of the sessions on every request (src/model/session.c, session_public_count).
-- The triggers keep it in the same transaction as every insert, delete and change of a
-- session's visibility, status, start or topic, and of a topic's domain; a group that
-- falls to zero is deleted, so the table holds exactly the non-empty groups (a copy
-- between backends rebuilds it and compares the row counts).
CREATE TABLE session_list_count (
	year INTEGER NOT NULL,
	domain TEXT NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (year, domain, status)
);
INSERT INTO session_list_count (year, domain, status, n)
SELECT CASE WHEN s.starts_at IS NULL THEN 0
	ELSE CAST(strftime('%Y', s.starts_at + 28800, 'unixepoch') AS INTEGER) END,
	t.domain, s.status, COUNT(*)
FROM session s JOIN topic t ON t.id = s.topic_id
WHERE s.visibility = 'public' AND s.status != 'draft'
GROUP BY 1, 2, 3;

CREATE TRIGGER session_list_count_insert AFTER INSERT ON session
WHEN NEW.visibility = 'public' AND NEW.status != 'draft'
BEGIN
	INSERT INTO session_list_count (year, domain, status, n)
	SELECT CASE WHEN NEW.starts_at IS NULL THEN 0
		ELSE CAST(strftime('%Y', NEW.starts_at + 28800, 'unixepoch') AS INTEGER) END,
		t.domain, NEW.status, 1 FROM topic t WHERE t.id = NEW.topic_id
	ON CONFLICT (year, domain, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER session_list_count_delete AFTER DELETE ON session
WHEN OLD.visibility = 'public' AND OLD.status != 'draft'
BEGIN
	UPDATE session_list_count SET n = n - 1
	WHERE year = CASE WHEN OLD.starts_at IS NULL THEN 0
		ELSE CAST(strftime('%Y', OLD.starts_at + 28800, 'unixepoch') AS INTEGER) END
	AND domain = (SELECT t.domain FROM topic t WHERE t.id = OLD.topic_id)
	AND status = OLD.status;
	DELETE FROM session_list_count WHERE n <= 0;
END;
-- an update is the old row out (first) and the new row in
CREATE TRIGGER session_list_count_update_out AFTER UPDATE OF visibility, status, starts_at, topic_id
ON session
WHEN OLD.visibility = 'public' AND OLD.status != 'draft'
BEGIN
	UPDATE session_list_count SET n = n - 1
	WHERE year = CASE WHEN OLD.starts_at IS NULL THEN 0
		ELSE CAST(strftime('%Y', OLD.starts_at + 28800, 'unixepoch') AS INTEGER) END
	AND domain = (SELECT t.domain FROM topic t WHERE t.id = OLD.topic_id)
	AND status = OLD.status;
	DELETE FROM session_list_count WHERE n <= 0;
END;
CREATE TRIGGER session_list_count_update_in AFTER UPDATE OF visibility, status, starts_at, topic_id
ON session
WHEN NEW.visibility = 'public' AND NEW.status != 'draft'
BEGIN
	INSERT INTO session_list_count (year, domain, status, n)
	SELECT CASE WHEN NEW.starts_at IS NULL THEN 0
		ELSE CAST(strftime('%Y', NEW.starts_at + 28800, 'unixepoch') AS INTEGER) END,
		t.domain, NEW.status, 1 FROM topic t WHERE t.id = NEW.topic_id
	ON CONFLICT (year, domain, status) DO UPDATE SET n = n + 1;
END;
-- a topic's new domain moves its public sessions to the groups of that domain
CREATE TRIGGER session_list_count_topic_domain AFTER UPDATE OF domain ON topic
WHEN OLD.domain IS NOT NEW.domain
BEGIN
	UPDATE session_list_count SET n = n - (SELECT COUNT(*) FROM session s
		WHERE s.topic_id = NEW.id AND s.visibility = 'public' AND s.status != 'draft'
		AND s.status = session_list_count.status
		AND (CASE WHEN s.starts_at IS NULL THEN 0
			ELSE CAST(strftime('%Y', s.starts_at + 28800, 'unixepoch') AS INTEGER) END)
			= session_list_count.year)
	WHERE domain = OLD.domain;
	DELETE FROM session_list_count WHERE n <= 0;
	INSERT INTO session_list_count (year, domain, status, n)
	SELECT CASE WHEN s.starts_at IS NULL THEN 0
		ELSE CAST(strftime('%Y', s.starts_at + 28800, 'unixepoch') AS INTEGER) END,
		NEW.domain, s.status, COUNT(*)
	FROM session s WHERE s.topic_id = NEW.id AND s.visibility = 'public' AND s.status != 'draft'
	GROUP BY 1, 3
	ON CONFLICT (year, domain, status) DO UPDATE SET n = n + excluded.n;
END;
