-- Versions of the public pages (src/model/pagever.c, src/web/pagecache.c). A rendered page
-- for signed-out visitors is cached in each process with the versions it was made at and
-- served again while they are the same; every write to a row that shows on such a page
-- bumps a version here, in the write's own transaction, in whatever process writes:
--   page_version[session]  what one session's page shows of its own record: the session row
--                          and its linked bodies, invitations, remarks, commitments, points,
--                          suggestions with their proposers and sources;
--   page_generation 1      what many pages show: bodies (org), topics, people (names, consent);
--   page_generation 2      what the session lists show: any session added, changed, removed.
-- A session page is valid while (page_version of it, generation 1) is unchanged, a list page
-- while (generation 1, generation 2) is. Bumps are upserts: a session without a row has 0.
CREATE TABLE page_version (session_id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE page_generation (id INTEGER PRIMARY KEY CHECK (id IN (1, 2)), n INTEGER NOT NULL);
INSERT INTO page_generation (id, n) VALUES (1, 0);
INSERT INTO page_generation (id, n) VALUES (2, 0);
CREATE TRIGGER page_ver_session_org_insert AFTER INSERT ON session_org BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_org_update AFTER UPDATE ON session_org BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_org_delete AFTER DELETE ON session_org BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_invitation_insert AFTER INSERT ON invitation BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_invitation_update AFTER UPDATE ON invitation BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_invitation_delete AFTER DELETE ON invitation BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_remark_insert AFTER INSERT ON remark BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_remark_update AFTER UPDATE ON remark BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_remark_delete AFTER DELETE ON remark BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_commitment_insert AFTER INSERT ON commitment BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_commitment_update AFTER UPDATE ON commitment BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_commitment_delete AFTER DELETE ON commitment BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_point_insert AFTER INSERT ON session_point BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_point_update AFTER UPDATE ON session_point BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_point_delete AFTER DELETE ON session_point BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_insert AFTER INSERT ON suggestion BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_update AFTER UPDATE ON suggestion BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	INSERT INTO page_version (session_id, n) SELECT OLD.session_id, 1 WHERE OLD.session_id != NEW.session_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_delete AFTER DELETE ON suggestion BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.session_id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_proposer_insert AFTER INSERT ON suggestion_proposer BEGIN
	INSERT INTO page_version (session_id, n)
		SELECT session_id, 1 FROM suggestion WHERE id = NEW.suggestion_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_proposer_delete AFTER DELETE ON suggestion_proposer BEGIN
	INSERT INTO page_version (session_id, n)
		SELECT session_id, 1 FROM suggestion WHERE id = OLD.suggestion_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_source_insert AFTER INSERT ON suggestion_source BEGIN
	INSERT INTO page_version (session_id, n)
		SELECT session_id, 1 FROM suggestion WHERE id = NEW.suggestion_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_suggestion_source_delete AFTER DELETE ON suggestion_source BEGIN
	INSERT INTO page_version (session_id, n)
		SELECT session_id, 1 FROM suggestion WHERE id = OLD.suggestion_id
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER page_ver_session_insert AFTER INSERT ON session BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	UPDATE page_generation SET n = n + 1 WHERE id = 2;
END;
CREATE TRIGGER page_ver_session_update AFTER UPDATE ON session BEGIN
	INSERT INTO page_version (session_id, n) VALUES (NEW.id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	UPDATE page_generation SET n = n + 1 WHERE id = 2;
END;
CREATE TRIGGER page_ver_session_delete AFTER DELETE ON session BEGIN
	INSERT INTO page_version (session_id, n) VALUES (OLD.id, 1)
		ON CONFLICT (session_id) DO UPDATE SET n = n + 1;
	UPDATE page_generation SET n = n + 1 WHERE id = 2;
END;
CREATE TRIGGER page_gen_org_update AFTER UPDATE ON org BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER page_gen_org_delete AFTER DELETE ON org BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER page_gen_topic_update AFTER UPDATE ON topic BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER page_gen_topic_delete AFTER DELETE ON topic BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER page_gen_person_update AFTER UPDATE ON person BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER page_gen_person_delete AFTER DELETE ON person BEGIN
	UPDATE page_generation SET n = n + 1 WHERE id = 1;
END;
