-- 0008: the audit log proves itself, and votes are audited as counts.
--
-- Every audit row carries the SHA-256 of its content chained to the row before it
-- (src/model/audit.c says exactly what is hashed); `shenliao audit verify` walks the
-- chain. Rows written before this migration get their hashes at the next start
-- (audit_seal, run by store_open after migrating), so the columns stay nullable here.
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;

-- Audit rows are never changed or removed. The one update allowed is the sealing of a row
-- written before the chain existed: its two hash columns set, nothing else touched.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN OLD.hash IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
	OR NEW.user_id IS NOT OLD.user_id OR NEW.org_id IS NOT OLD.org_id
	OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
	OR NEW.entity_id IS NOT OLD.entity_id OR NEW.before_json IS NOT OLD.before_json
	OR NEW.after_json IS NOT OLD.after_json OR NEW.address IS NOT OLD.address
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
