-- 0017: work rules copied from another body (复制推广). A version copied with
-- POST /api/v1/orgs/{id}/rules/copy names the body and version it came from; a version
-- written by the body itself has both NULL.
ALTER TABLE rules ADD COLUMN copied_from_org_id INTEGER REFERENCES org(id);
ALTER TABLE rules ADD COLUMN copied_from_version TEXT;
