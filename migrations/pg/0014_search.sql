-- 0014 on PostgreSQL (follows the translation of migrations/0014_search.sql): SQLite indexes
-- the outputs, statements and people already in the database here. A PostgreSQL database
-- is always made new at the newest schema (shenliao init, demo, copy), so these tables are
-- empty at this point and there is nothing to index; the writers keep the index in step
-- (src/model/search.c), and shenliao copy fills it for the rows it copies.
SELECT 1;
