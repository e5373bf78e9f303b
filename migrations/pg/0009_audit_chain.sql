-- 0009 on PostgreSQL (follows the translation of migrations/0009_audit_chain.sql): audit
-- rows are never removed and changed only as that file says. A trigger's WHEN cannot hold a
-- subquery in PostgreSQL, so the rule is in the function. json has no equality: the JSON
-- columns are compared as their text (which is what the chain hashes). The error is a
-- constraint violation (SQLSTATE 23000), as SQLite's RAISE(ABORT) is.
CREATE FUNCTION audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'audit rows cannot be deleted'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
		OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.org_id IS DISTINCT FROM OLD.org_id
		OR NEW.action IS DISTINCT FROM OLD.action OR NEW.entity IS DISTINCT FROM OLD.entity
		OR NEW.entity_id IS DISTINCT FROM OLD.entity_id
		OR NEW.address IS DISTINCT FROM OLD.address
		OR (OLD.hash IS NULL AND (NEW.before_json::text IS DISTINCT FROM OLD.before_json::text
			OR NEW.after_json::text IS DISTINCT FROM OLD.after_json::text))
		OR (OLD.hash IS NOT NULL AND (NEW.hash IS DISTINCT FROM OLD.hash
			OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash
			OR NEW.before_sha256 IS DISTINCT FROM OLD.before_sha256
			OR NEW.after_sha256 IS DISTINCT FROM OLD.after_sha256
			OR (NEW.before_json::text IS DISTINCT FROM OLD.before_json::text
				AND NEW.before_json IS NOT NULL)
			OR (NEW.after_json::text IS DISTINCT FROM OLD.after_json::text
				AND NEW.after_json IS NOT NULL)
			OR NOT EXISTS (SELECT 1 FROM audit r WHERE r.action = 'audit.redact'
				AND r.entity = OLD.entity AND r.entity_id = OLD.entity_id
				AND r.id > OLD.id))) THEN
		RAISE EXCEPTION 'audit rows cannot be changed'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_guard();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_guard();
