-- 0004: the live opinion map: a session's room (join code, who may take part, moderation),
-- participants, statements, votes, and the latest computed snapshot.

CREATE TABLE room (
	session_id INTEGER PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
	org_id INTEGER NOT NULL REFERENCES org(id),
	code TEXT NOT NULL UNIQUE,              -- short join code for phones
	open INTEGER NOT NULL DEFAULT 1,
	anonymous INTEGER NOT NULL DEFAULT 0,   -- browser-cookie participants allowed
	moderation TEXT NOT NULL DEFAULT 'post' CHECK (moderation IN ('pre', 'post')),
	created_at INTEGER NOT NULL
);

-- One identity per person per session: a signed-in user, or an anonymous browser (only the
-- hash of its cookie is stored). category is the declared one, for small rooms.
CREATE TABLE participant (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users(id),
	anon_hash TEXT,
	external_id TEXT,                       -- imported conversations: the voter id there
	category TEXT NOT NULL DEFAULT 'citizen',
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX participant_user ON participant(session_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX participant_anon ON participant(session_id, anon_hash) WHERE anon_hash IS NOT NULL;
CREATE UNIQUE INDEX participant_ext ON participant(session_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE statement (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
	participant_id INTEGER REFERENCES participant(id),
	text TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
	external_id TEXT,
	created_at INTEGER NOT NULL,
	moderated_at INTEGER,
	moderated_by INTEGER REFERENCES users(id)
);
CREATE INDEX statement_session ON statement(session_id, id);

-- The latest vote of a participant on a statement (changing a vote replaces it).
CREATE TABLE vote (
	statement_id INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
	participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
	session_id INTEGER NOT NULL,
	value INTEGER NOT NULL CHECK (value IN (-1, 0, 1)),
	at INTEGER NOT NULL,
	PRIMARY KEY (statement_id, participant_id)
);
CREATE INDEX vote_session ON vote(session_id);

CREATE TABLE opinion_snapshot (
	session_id INTEGER PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
	org_id INTEGER NOT NULL REFERENCES org(id),
	version INTEGER NOT NULL,
	computed_at INTEGER NOT NULL,
	n_votes INTEGER NOT NULL,
	snapshot TEXT NOT NULL
);
