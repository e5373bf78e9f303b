-- 0018: signed session bundles between separated networks (src/model/bundle.c).
--
-- bundle_instance: this database's own random name, made once by the first export; the uids
-- of its rows in a bundle start with it ("<instance>/remark/17"), so rows of two databases
-- never take each other's place, and a bundle coming back finds its own rows by it.
CREATE TABLE bundle_instance (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	uid TEXT NOT NULL
);

-- bundle_map: which local row a bundle's row became (kind: topic, session, person,
-- invitation, remark, point, commitment, suggestion, participant, statement), so importing a
-- bundle again adds nothing and a later bundle of the session adds only what is new.
CREATE TABLE bundle_map (
	kind TEXT NOT NULL,
	uid TEXT NOT NULL,
	local_id INTEGER NOT NULL,
	PRIMARY KEY (kind, uid)
);
CREATE INDEX bundle_map_local ON bundle_map(kind, local_id);

-- bundle_exported: venue mode (`serve --venue-export DIR`): the bundle written when a
-- session closed, so a restart does not write it again (a session closed again later, with
-- a newer closed_at, is exported again).
CREATE TABLE bundle_exported (
	session_id INTEGER PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
	closed_at INTEGER NOT NULL,
	path TEXT NOT NULL,
	at INTEGER NOT NULL
);
