-- 0003: outputs made from suggestions (提案, 社情民意信息, 调研报告, 大会发言, 专报), their
-- handling workflows, handling units, adoption into policy.

-- Handling units (承办单位), e.g. 市人力资源和社会保障局; their accounts are users with
-- handler_id set, who see only what is assigned to them.
CREATE TABLE handler (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (org_id, name)
);
ALTER TABLE users ADD COLUMN handler_id INTEGER REFERENCES handler(id);

CREATE TABLE output (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	kind TEXT NOT NULL CHECK (kind IN ('proposal', 'opinion_report', 'research_report',
		'speech', 'special_report')),
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'draft',
	number TEXT NOT NULL DEFAULT '',
	dated_at INTEGER NOT NULL,            -- the document's date (statistics count by it)
	cosign_deadline INTEGER,
	reason TEXT NOT NULL DEFAULT '',      -- why a proposal was not accepted
	reply_due INTEGER,
	reply_text TEXT NOT NULL DEFAULT '',
	reply_grade TEXT CHECK (reply_grade IS NULL OR reply_grade IN ('A', 'B', 'C', 'D')),
	satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied',
		'basically_satisfied', 'dissatisfied')),
	reopened INTEGER NOT NULL DEFAULT 0,
	bulletin_issue TEXT NOT NULL DEFAULT '',
	sent_to TEXT NOT NULL DEFAULT '',
	instruction_by TEXT NOT NULL DEFAULT '',
	instruction_text TEXT NOT NULL DEFAULT '',
	submitted_at INTEGER,
	accepted_at INTEGER,
	assigned_at INTEGER,
	replied_at INTEGER,
	evaluated_at INTEGER,
	closed_at INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX output_org_dated ON output(org_id, dated_at);

CREATE TABLE output_suggestion (
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	suggestion_id INTEGER NOT NULL REFERENCES suggestion(id),
	PRIMARY KEY (output_id, suggestion_id)
);
CREATE INDEX output_suggestion_s ON output_suggestion(suggestion_id);

-- Sessions an output cites: those of its suggestions and any cited directly.
CREATE TABLE output_session (
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	session_id INTEGER NOT NULL REFERENCES session(id),
	PRIMARY KEY (output_id, session_id)
);
CREATE INDEX output_session_s ON output_session(session_id);

CREATE TABLE output_author (
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES person(id),
	role TEXT NOT NULL CHECK (role IN ('lead', 'cosigner')),
	confirmed_at INTEGER,
	PRIMARY KEY (output_id, person_id)
);
CREATE INDEX output_author_p ON output_author(person_id);

CREATE TABLE output_handler (
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	handler_id INTEGER NOT NULL REFERENCES handler(id),
	role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
	PRIMARY KEY (output_id, handler_id)
);
CREATE INDEX output_handler_h ON output_handler(handler_id);

-- Every step of a workflow: who, when, from which state to which, with a note.
CREATE TABLE output_event (
	id INTEGER PRIMARY KEY,
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	org_id INTEGER NOT NULL REFERENCES org(id),
	at INTEGER NOT NULL,
	user_id INTEGER REFERENCES users(id),
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX output_event_o ON output_event(output_id, id);

-- Adoption: leader instruction, department adoption, policy measure, escalation, media.
CREATE TABLE adoption (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	output_id INTEGER NOT NULL REFERENCES output(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('instruction', 'department', 'policy', 'escalation',
		'media')),
	title TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	reference TEXT NOT NULL DEFAULT '',
	date TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX adoption_output ON adoption(output_id);
