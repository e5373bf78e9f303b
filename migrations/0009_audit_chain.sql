-- 0008: the audit log proves itself, and votes are audited as counts.
--
-- Every audit row carries the SHA-256 of its content chained to the row before it
-- (src/model/audit.c says exactly what is hashed); `shenliao audit verify` walks the
-- chain. Rows written before this migration get their hashes at the next start
-- (audit_seal, run by store_open after migrating), so the columns stay nullable here.
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
-- The chain covers before_json and after_json through their SHA-256, so that personal data
-- in them can be erased (PIPL) while the chain still proves everything else.
ALTER TABLE audit ADD COLUMN before_sha256 TEXT;
ALTER TABLE audit ADD COLUMN after_sha256 TEXT;

-- Audit rows are never removed, and changed in two ways only: a row written before the
-- chain existed is sealed (its hash columns set, nothing else touched); and the before and
-- after of a sealed row may be erased (set to NULL, their SHA-256 kept) once a later row
-- "audit.redact" names the same entity (audit_redact), so no erasure goes unrecorded.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
	OR NEW.user_id IS NOT OLD.user_id OR NEW.org_id IS NOT OLD.org_id
	OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
	OR NEW.entity_id IS NOT OLD.entity_id OR NEW.address IS NOT OLD.address
	OR (OLD.hash IS NULL AND (NEW.before_json IS NOT OLD.before_json
		OR NEW.after_json IS NOT OLD.after_json))
	OR (OLD.hash IS NOT NULL AND (NEW.hash IS NOT OLD.hash
		OR NEW.prev_hash IS NOT OLD.prev_hash
		OR NEW.before_sha256 IS NOT OLD.before_sha256
		OR NEW.after_sha256 IS NOT OLD.after_sha256
		OR (NEW.before_json IS NOT OLD.before_json AND NEW.before_json IS NOT NULL)
		OR (NEW.after_json IS NOT OLD.after_json AND NEW.after_json IS NOT NULL)
		OR NOT EXISTS (SELECT 1 FROM audit r WHERE r.action = 'audit.redact'
			AND r.entity = OLD.entity AND r.entity_id = OLD.entity_id AND r.id > OLD.id)))
BEGIN
	SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows cannot be deleted');
END;

-- Votes per statement per minute (minute = unix time / 60). A vote adds to its minute's
-- row; once the minute is over, the live worker writes one audit row "votes.counted" per
-- row and marks it audited, so the log holds counts, not one row per vote.
CREATE TABLE vote_tally (
	statement_id INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
	minute INTEGER NOT NULL,
	session_id INTEGER NOT NULL,
	org_id INTEGER NOT NULL,
	agree INTEGER NOT NULL DEFAULT 0,
	disagree INTEGER NOT NULL DEFAULT 0,
	pass INTEGER NOT NULL DEFAULT 0,
	audited INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (statement_id, minute)
);
CREATE INDEX vote_tally_open ON vote_tally(minute) WHERE audited = 0;
