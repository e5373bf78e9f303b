-- 0008: the rights of a person over their data (PIPL): erasure marks.
-- An erased person keeps their row (ids, category, body: the counts of sessions,
-- invitations, remarks and outputs stay what they were) with every personal field cleared;
-- erased_at says when. Their remarks and statements keep their rows (a participant spoke,
-- a statement was voted on: counts and lineage hold) with the text removed and erased set.
ALTER TABLE person ADD COLUMN erased_at INTEGER;
ALTER TABLE remark ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statement ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
