-- 0001: bodies, accounts, sign-in, audit.
-- Times are UTC seconds since the epoch. Ids are unique across bodies; tenant tables carry
-- org_id so the schema distributes by it (docs/ARCHITECTURE.md).

CREATE TABLE org (
	id INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES org(id),
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('national', 'province', 'city', 'district')),
	-- materialized path of ids, "/1/4/9/": descendants share the prefix
	path TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX org_parent ON org(parent_id);
CREATE INDEX org_path ON org(path);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'member', 'guest')),
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_id);

-- Browser sign-ins. Only the hash of the cookie's token is stored.
CREATE TABLE auth_session (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX auth_session_user ON auth_session(user_id);

-- API bearer tokens. Only the hash is stored; the token is shown once.
CREATE TABLE api_token (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0
);

-- Failed sign-ins, for rate limiting per username ("u:NAME") and per address ("a:IP").
CREATE TABLE login_failure (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX login_failure_key ON login_failure(key, at);

-- Every change: who, when, in which body, what, and the entity before and after (JSON).
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id INTEGER,
	org_id INTEGER,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id INTEGER,
	before_json TEXT,
	after_json TEXT,
	address TEXT
);
CREATE INDEX audit_org_at ON audit(org_id, at);
CREATE INDEX audit_entity ON audit(entity, entity_id);
