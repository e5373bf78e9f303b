-- 0015: joint sessions (联合聊): the record shows which body added what. by_org_id is the
-- body of the account that added an invitation (or a walk-in's attendance), a remark, an
-- agreed point or difference, a suggestion or a commitment: the session's own body, or a
-- linked body (session_org) writing to a joint session (src/model/record.c). org_id stays
-- the body whose data the row is (the session's). Existing rows were all added by the
-- session's body.
ALTER TABLE invitation ADD COLUMN by_org_id INTEGER REFERENCES org(id);
ALTER TABLE remark ADD COLUMN by_org_id INTEGER REFERENCES org(id);
ALTER TABLE session_point ADD COLUMN by_org_id INTEGER REFERENCES org(id);
ALTER TABLE suggestion ADD COLUMN by_org_id INTEGER REFERENCES org(id);
ALTER TABLE commitment ADD COLUMN by_org_id INTEGER REFERENCES org(id);
UPDATE invitation SET by_org_id = (SELECT s.org_id FROM session s WHERE s.id = invitation.session_id);
UPDATE remark SET by_org_id = (SELECT s.org_id FROM session s WHERE s.id = remark.session_id);
UPDATE session_point SET by_org_id = (SELECT s.org_id FROM session s WHERE s.id = session_point.session_id);
UPDATE suggestion SET by_org_id = (SELECT s.org_id FROM session s WHERE s.id = suggestion.session_id);
UPDATE commitment SET by_org_id = (SELECT s.org_id FROM session s WHERE s.id = commitment.session_id);

-- the statistics count joint sessions by their linked bodies (src/model/stats.c)
CREATE TRIGGER stats_gen_session_org_insert AFTER INSERT ON session_org BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_gen_session_org_delete AFTER DELETE ON session_org BEGIN
	UPDATE stats_generation SET n = n + 1 WHERE id = 1;
END;
