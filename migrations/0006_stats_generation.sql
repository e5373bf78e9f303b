-- stats_generation counts every change to the rows the statistics are made from, in any
-- process, so a cached statistics answer is reused exactly as long as nothing it counts has
-- changed (src/model/stats.c). Votes, remarks and audit rows do not touch it.
CREATE TABLE stats_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO stats_generation (id, n) VALUES (1, 0);
CREATE TRIGGER stats_gen_org_insert AFTER INSERT ON org BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_org_update AFTER UPDATE ON org BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_org_delete AFTER DELETE ON org BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_topic_insert AFTER INSERT ON topic BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_topic_update AFTER UPDATE ON topic BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_topic_delete AFTER DELETE ON topic BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_session_insert AFTER INSERT ON session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_session_update AFTER UPDATE ON session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_session_delete AFTER DELETE ON session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_invitation_insert AFTER INSERT ON invitation BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_invitation_update AFTER UPDATE ON invitation BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_invitation_delete AFTER DELETE ON invitation BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_person_insert AFTER INSERT ON person BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_person_update AFTER UPDATE ON person BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_person_delete AFTER DELETE ON person BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_suggestion_insert AFTER INSERT ON suggestion BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_suggestion_update AFTER UPDATE ON suggestion BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_suggestion_delete AFTER DELETE ON suggestion BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_insert AFTER INSERT ON output BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_update AFTER UPDATE ON output BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_delete AFTER DELETE ON output BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_session_insert AFTER INSERT ON output_session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_session_update AFTER UPDATE ON output_session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_output_session_delete AFTER DELETE ON output_session BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_adoption_insert AFTER INSERT ON adoption BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_adoption_update AFTER UPDATE ON adoption BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_adoption_delete AFTER DELETE ON adoption BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
