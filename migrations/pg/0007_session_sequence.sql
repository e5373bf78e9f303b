-- 0007 on PostgreSQL (follows the translation of migrations/0007_session_sequence.sql): a
-- calendar-visible change of a session counts up its ics_sequence. SQLite's AFTER trigger
-- updates the row again; here a BEFORE trigger sets the new value in the same write.
CREATE FUNCTION session_ics_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.ics_sequence := NEW.ics_sequence + 1;
	RETURN NEW;
END
$$;
CREATE TRIGGER session_ics_sequence BEFORE UPDATE OF starts_at, ends_at, venue, title, status
ON session FOR EACH ROW
WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
	OR OLD.venue IS DISTINCT FROM NEW.venue OR OLD.title IS DISTINCT FROM NEW.title
	OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION session_ics_bump();
