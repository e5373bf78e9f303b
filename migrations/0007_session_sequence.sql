-- ics_sequence counts the changes of a session that a calendar shows (its time, place,
-- title or state): the SEQUENCE of its .ics event (src/web/session_ics.c), so a calendar
-- that imported it before updates the event instead of adding a second one.
ALTER TABLE session ADD COLUMN ics_sequence INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER session_ics_sequence AFTER UPDATE OF starts_at, ends_at, venue, title, status
ON session
WHEN OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at
	OR OLD.venue IS NOT NEW.venue OR OLD.title IS NOT NEW.title
	OR OLD.status IS NOT NEW.status
BEGIN
	UPDATE session SET ics_sequence = ics_sequence + 1 WHERE id = NEW.id;
END;
