-- 0016: escalation (上报上级) of an output to a higher body: the output's body sends it to its
-- parent or a body further up, which accepts or declines it with a note; an accepted one may
-- become an output of the higher body (result_output_id), whose lineage reaches back through
-- the lower body's output to its suggestions and sessions (src/model/escalation.c).
CREATE TABLE escalation (
	id INTEGER PRIMARY KEY,
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	from_org_id INTEGER NOT NULL REFERENCES org(id),
	to_org_id INTEGER NOT NULL REFERENCES org(id),
	note TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined')),
	answer_note TEXT NOT NULL DEFAULT '',
	answered_by INTEGER REFERENCES users(id),
	answered_at INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	result_output_id INTEGER REFERENCES output(id) ON DELETE SET NULL
);
CREATE INDEX escalation_output ON escalation(output_id);
CREATE INDEX escalation_to ON escalation(to_org_id, id);
CREATE INDEX escalation_from ON escalation(from_org_id, id);
CREATE INDEX escalation_result ON escalation(result_output_id) WHERE result_output_id IS NOT NULL;
-- one pending escalation of an output to a body at a time
CREATE UNIQUE INDEX escalation_pending ON escalation(output_id, to_org_id) WHERE state = 'pending';
