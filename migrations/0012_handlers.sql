-- 0011: handling units managed by id: a unit can be disabled (not offered for new
-- assignments; its accounts keep reading what they have) or merged into another (then it
-- is disabled and merged_into names the unit that took its assignments and accounts).
-- A co-handling unit's opinion (协办意见) on the lead unit's reply, one per unit and output.
ALTER TABLE handler ADD COLUMN disabled_at INTEGER;
ALTER TABLE handler ADD COLUMN merged_into INTEGER REFERENCES handler(id);
ALTER TABLE output_handler ADD COLUMN opinion TEXT;
ALTER TABLE output_handler ADD COLUMN opinion_at INTEGER;
CREATE INDEX commitment_org_due ON commitment(org_id, due_date);
