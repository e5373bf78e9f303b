-- pg: replace
-- 0013 on PostgreSQL (replaces the translation of migrations/0013_roles.sql): SQLite rebuilds
-- the accounts table to widen a CHECK; PostgreSQL changes the constraint in place (the name
-- is the one PostgreSQL gave the column's CHECK in 0001). Ids, references and the column
-- order (handler_id last) end up as in SQLite.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
	CHECK (role IN ('admin', 'organizer', 'leader', 'member', 'guest'));
