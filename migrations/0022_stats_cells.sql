-- stats_cell is a summary of the statistics (src/model/stats.c) that a change refreshes
-- where it touched, instead of every answer being computed again from all the rows: for
-- every body and calendar month (China time, ym = YYYYMM) the body's own figures
-- (subtree 0) and those of the body and all below it (subtree 1), one row per figure:
-- metric, a text key (a domain, a kind...) or an integer value v (the days of a median's
-- distribution), and the count n. A period of whole months is a sum over a few rows.
-- (WITHOUT ROWID: the rows are stored in key order, so a body's months are read in place;
-- the PostgreSQL translation leaves it out.)
--
-- stats_dirty is where the triggers below note, in the same transaction as a change, the
-- (body, time) whose month cells it touched: a session's start, an output's date, in the
-- old and the new row. The writer that commits refreshes those cells before its commit
-- (stats_refresh), and a reader refreshes what a bulk writer left. org_id 0 means every
-- cell (a body moved in the tree, or the summary was never made, as here).
CREATE TABLE stats_cell (
	org_id INTEGER NOT NULL,
	subtree INTEGER NOT NULL,
	ym INTEGER NOT NULL,
	metric TEXT NOT NULL,
	k TEXT NOT NULL,
	v INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (org_id, subtree, ym, metric, k, v)
) WITHOUT ROWID;
-- each body's figures of a kind over months (the bodies' rows of an answer), with the count
CREATE INDEX stats_cell_metric ON stats_cell(org_id, subtree, metric, ym, n);
-- a month's outputs of every body, for making the cells of every body at once
CREATE INDEX output_dated ON output(dated_at);
-- (no id column: on PostgreSQL a trigger that used a sequence would change what lastval()
-- gives the statement that fired it, which is how the writers learn a new row's id)
CREATE TABLE stats_dirty (
	org_id INTEGER NOT NULL,
	at INTEGER
);
INSERT INTO stats_dirty (org_id, at) VALUES (0, NULL);

CREATE TRIGGER stats_mark_session_insert AFTER INSERT ON session
WHEN NEW.starts_at IS NOT NULL BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (NEW.org_id, NEW.starts_at);
END;
CREATE TRIGGER stats_mark_session_delete AFTER DELETE ON session BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT OLD.org_id, OLD.starts_at
	WHERE OLD.starts_at IS NOT NULL;
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at
	FROM output_session os JOIN output o ON o.id = os.output_id WHERE os.session_id = OLD.id;
END;
CREATE TRIGGER stats_mark_session_update AFTER UPDATE OF org_id, topic_id, starts_at, status,
	formats, organizer_unit ON session BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT OLD.org_id, OLD.starts_at
	WHERE OLD.starts_at IS NOT NULL;
	INSERT INTO stats_dirty (org_id, at) SELECT NEW.org_id, NEW.starts_at
	WHERE NEW.starts_at IS NOT NULL;
	-- the days from a session to its outputs
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at
	FROM output_session os JOIN output o ON o.id = os.output_id
	WHERE os.session_id = NEW.id AND OLD.starts_at IS NOT NEW.starts_at;
END;
CREATE TRIGGER stats_mark_topic_domain AFTER UPDATE OF domain ON topic BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.topic_id = NEW.id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_invitation_insert AFTER INSERT ON invitation BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id = NEW.session_id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_invitation_update AFTER UPDATE ON invitation BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id IN (OLD.session_id, NEW.session_id) AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_invitation_delete AFTER DELETE ON invitation BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id = OLD.session_id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_person_category AFTER UPDATE OF category ON person BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at
	FROM invitation i JOIN session s ON s.id = i.session_id
	WHERE i.person_id = NEW.id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_suggestion_insert AFTER INSERT ON suggestion BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id = NEW.session_id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_suggestion_update AFTER UPDATE OF session_id ON suggestion BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id IN (OLD.session_id, NEW.session_id) AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_suggestion_delete AFTER DELETE ON suggestion BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT s.org_id, s.starts_at FROM session s
	WHERE s.id = OLD.session_id AND s.starts_at IS NOT NULL;
END;
CREATE TRIGGER stats_mark_output_insert AFTER INSERT ON output BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (NEW.org_id, NEW.dated_at);
END;
CREATE TRIGGER stats_mark_output_update AFTER UPDATE OF org_id, kind, state, dated_at,
	satisfaction, submitted_at, accepted_at, assigned_at, replied_at ON output BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (OLD.org_id, OLD.dated_at);
	INSERT INTO stats_dirty (org_id, at) VALUES (NEW.org_id, NEW.dated_at);
END;
CREATE TRIGGER stats_mark_output_delete AFTER DELETE ON output BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (OLD.org_id, OLD.dated_at);
END;
CREATE TRIGGER stats_mark_adoption_insert AFTER INSERT ON adoption BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
	WHERE o.id = NEW.output_id;
END;
CREATE TRIGGER stats_mark_adoption_update AFTER UPDATE ON adoption BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
	WHERE o.id IN (OLD.output_id, NEW.output_id);
END;
CREATE TRIGGER stats_mark_adoption_delete AFTER DELETE ON adoption BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
	WHERE o.id = OLD.output_id;
END;
CREATE TRIGGER stats_mark_output_session_insert AFTER INSERT ON output_session BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
	WHERE o.id = NEW.output_id;
END;
CREATE TRIGGER stats_mark_output_session_delete AFTER DELETE ON output_session BEGIN
	INSERT INTO stats_dirty (org_id, at) SELECT o.org_id, o.dated_at FROM output o
	WHERE o.id = OLD.output_id;
END;
-- a body moved in the tree changes which bodies every subtree cell sums
CREATE TRIGGER stats_mark_org_moved AFTER UPDATE OF parent_id, path ON org BEGIN
	INSERT INTO stats_dirty (org_id, at) VALUES (0, NULL);
END;
