-- 0002: the people registry, topics, sessions and their record, duty records.
-- Every table carries org_id: the body whose data it is.

-- People: members, leaders, experts, officials... (not accounts; optionally linked to one)
CREATE TABLE person (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	name TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('member', 'leader', 'expert', 'entrepreneur',
		'sector_rep', 'social_org', 'official', 'think_tank', 'citizen')),
	sector TEXT NOT NULL DEFAULT '',       -- 界别
	committee TEXT NOT NULL DEFAULT '',    -- 专委会
	term TEXT NOT NULL DEFAULT '',         -- 届次
	affiliation TEXT NOT NULL DEFAULT '',  -- 工作单位; for officials, their department
	title TEXT NOT NULL DEFAULT '',        -- 职务
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	user_id INTEGER REFERENCES users(id),
	public_name INTEGER NOT NULL DEFAULT 0, -- agreed to be named on public pages
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX person_org ON person(org_id, id);
CREATE UNIQUE INDEX person_user ON person(user_id) WHERE user_id IS NOT NULL;

-- Domains: the five built-in ones (org_id NULL) and a body's own additions.
CREATE TABLE domain (
	id INTEGER PRIMARY KEY,
	org_id INTEGER REFERENCES org(id),
	code TEXT NOT NULL,
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX domain_code ON domain(COALESCE(org_id, 0), code);
INSERT INTO domain (org_id, code, name_zh, name_en, position) VALUES
	(NULL, 'economy', '经济', 'Economy', 1),
	(NULL, 'politics', '政治', 'Politics', 2),
	(NULL, 'society', '社会', 'Society', 3),
	(NULL, 'culture', '文化', 'Culture', 4),
	(NULL, 'ecology', '生态环境', 'Ecology', 5);

-- Topics (议题): where they came from, and their pipeline.
CREATE TABLE topic (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	domain TEXT NOT NULL,
	origin TEXT NOT NULL CHECK (origin IN ('assigned', 'member', 'sector', 'public')),
	proposer TEXT NOT NULL DEFAULT '',
	proposer_id INTEGER REFERENCES person(id),
	status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved',
		'scheduled', 'concluded', 'rejected')),
	plan_year INTEGER,
	plan_month INTEGER CHECK (plan_month IS NULL OR plan_month BETWEEN 1 AND 12),
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX topic_org ON topic(org_id, id);

-- Work rules (工作制度), versioned; params holds what the software enforces (JSON).
CREATE TABLE rules (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	version TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	params TEXT NOT NULL DEFAULT '{}',
	effective_from INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (org_id, version)
);

-- Sessions (深聊会).
CREATE TABLE session (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	topic_id INTEGER NOT NULL REFERENCES topic(id),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	starts_at INTEGER,
	ends_at INTEGER,
	venue TEXT NOT NULL DEFAULT '',
	organizer_unit TEXT NOT NULL DEFAULT '',
	formats INTEGER NOT NULL DEFAULT 0,        -- bits: 1 expert, 2 counterpart, 4 sector, 8 joint
	department TEXT NOT NULL DEFAULT '',       -- the matched department of a counterpart talk
	visibility TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public')),
	rules_version TEXT,
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'live',
		'closed', 'archived')),
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER
);
CREATE INDEX session_org_start ON session(org_id, starts_at);
CREATE INDEX session_topic ON session(topic_id);
CREATE INDEX session_public ON session(visibility, starts_at);

-- Other bodies taking part in a joint session: they see it too.
CREATE TABLE session_org (
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	org_id INTEGER NOT NULL REFERENCES org(id),
	PRIMARY KEY (session_id, org_id)
);
CREATE INDEX session_org_org ON session_org(org_id);

-- Invitations, answers and attendance.
CREATE TABLE invitation (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES person(id),
	role TEXT NOT NULL CHECK (role IN ('host', 'speaker', 'expert', 'member', 'official',
		'observer')),
	rsvp TEXT NOT NULL DEFAULT 'pending' CHECK (rsvp IN ('pending', 'accepted', 'declined')),
	attended INTEGER NOT NULL DEFAULT 0,
	responded_at INTEGER,
	created_at INTEGER NOT NULL,
	UNIQUE (session_id, person_id)
);
CREATE INDEX invitation_person ON invitation(person_id);

-- The speaker-level record.
CREATE TABLE remark (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	person_id INTEGER REFERENCES person(id),
	role TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	position INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX remark_session ON remark(session_id, position);

-- A department's commitments in a counterpart talk, followed up.
CREATE TABLE commitment (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	owner TEXT NOT NULL,
	owner_id INTEGER REFERENCES person(id),
	body TEXT NOT NULL,
	due_date TEXT,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done',
		'dropped')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX commitment_session ON commitment(session_id);

-- At close: agreed points and remaining differences (求同存异).
CREATE TABLE session_point (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('agreed', 'difference')),
	body TEXT NOT NULL,
	position INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX session_point_session ON session_point(session_id, kind, position);

-- Suggestions (对策建议) with who proposed them and what they came from.
CREATE TABLE suggestion (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX suggestion_session ON suggestion(session_id, position);
CREATE TABLE suggestion_proposer (
	suggestion_id INTEGER NOT NULL REFERENCES suggestion(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES person(id),
	PRIMARY KEY (suggestion_id, person_id)
);
CREATE TABLE suggestion_source (
	suggestion_id INTEGER NOT NULL REFERENCES suggestion(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('remark', 'statement')),
	source_id INTEGER NOT NULL,
	PRIMARY KEY (suggestion_id, kind, source_id)
);

-- Duty records (履职档案): points per body, and each credit.
CREATE TABLE duty_points (
	org_id INTEGER NOT NULL REFERENCES org(id),
	kind TEXT NOT NULL,
	points INTEGER NOT NULL,
	PRIMARY KEY (org_id, kind)
);
CREATE TABLE duty_record (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	person_id INTEGER NOT NULL REFERENCES person(id),
	kind TEXT NOT NULL,
	points INTEGER NOT NULL,
	session_id INTEGER REFERENCES session(id) ON DELETE SET NULL,
	ref_id INTEGER NOT NULL DEFAULT 0,
	year INTEGER NOT NULL,
	at INTEGER NOT NULL,
	UNIQUE (person_id, kind, ref_id)
);
CREATE INDEX duty_record_person ON duty_record(person_id, year);

-- Full-text search over topics, sessions, remarks and suggestions, with the CJK bigram
-- tokenizer (src/db/fts_cjk.c). ref is the row's id in its own table.
CREATE VIRTUAL TABLE search_index USING fts5(
	title, body, kind UNINDEXED, ref UNINDEXED, session UNINDEXED, org UNINDEXED,
	tokenize = 'cjk'
);
