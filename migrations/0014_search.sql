-- 0011: search over outputs, statements of opinion rooms and people too (src/model/search.c),
-- and the key that matches a re-imported person to the registry's (src/model/person.c).
--
-- The index's rowid is ref * 8 + the kind's place in search.c's list: output 4,
-- statement 5, person 6. Existing rows are indexed here; the writers keep the index in step.
INSERT INTO search_index (rowid, title, body, kind, ref, session, org)
	SELECT id * 8 + 4, title, body, 'output', id, 0, org_id FROM output;
INSERT INTO search_index (rowid, title, body, kind, ref, session, org)
	SELECT id * 8 + 5, '', text, 'statement', id, session_id, org_id FROM statement
	WHERE status = 'accepted' AND erased = 0;
-- a person's name, sector, affiliation and title; never their phone or e-mail
INSERT INTO search_index (rowid, title, body, kind, ref, session, org)
	SELECT id * 8 + 6, name, sector || ' ' || affiliation || ' ' || title, 'person', id, 0,
	org_id FROM person WHERE erased_at IS NULL;

-- The SHA-256 (hex) of a person's ID-card number, given in an import: the number itself is
-- never stored. A re-import finds the person by it first, then by phone, then by name and
-- affiliation, within the importing body.
ALTER TABLE person ADD COLUMN id_card_hash TEXT;
CREATE INDEX person_id_card ON person(org_id, id_card_hash) WHERE id_card_hash IS NOT NULL;
