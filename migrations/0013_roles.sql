-- 0011: the read-only leader role (领导). SQLite cannot change a CHECK constraint in place, so
-- the accounts table is rebuilt: a new table with the wider CHECK, the rows copied with their
-- ids, the old table dropped and the new one renamed. The migration runner turns foreign key
-- enforcement off around each migration and runs PRAGMA foreign_key_check before it commits
-- (src/db/migrate.c), so dropping the old table neither cascades into sign-ins, tokens and
-- notifications nor leaves a dangling reference; the tables that reference users(id) refer
-- to it by name and find the new table. (PostgreSQL: ALTER TABLE users DROP CONSTRAINT, ADD
-- CONSTRAINT.)

CREATE TABLE users_new (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'leader', 'member', 'guest')),
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	handler_id INTEGER REFERENCES handler(id)
);
INSERT INTO users_new (id, org_id, username, display_name, role, password_hash, disabled,
	created_at, updated_at, handler_id)
SELECT id, org_id, username, display_name, role, password_hash, disabled, created_at,
	updated_at, handler_id FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_org ON users(org_id);
