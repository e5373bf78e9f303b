-- 0019: what search's ranking and its cache need (src/model/search.c, docs/POSTGRESQL.md).
--
-- search_stats.generation counts every change to the search index (search_put and
-- search_drop bump it: FTS5 tables take no triggers) and to the rows that decide who may see
-- a hit (the triggers below), so a cached answer is given again exactly as long as nothing it
-- depends on has changed. nrow and ntok are the totals FTS5 keeps for its bm25 (rows, tokens
-- of title and body): PostgreSQL ranks by them (migrations/pg/0019_search_rank.sql keeps
-- them); SQLite's FTS5 keeps its own, and these stay 0 here.
CREATE TABLE search_stats (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL,
	nrow INTEGER NOT NULL,
	ntok INTEGER NOT NULL
);
INSERT INTO search_stats (id, generation, nrow, ntok) VALUES (1, 0, 0, 0);
CREATE TRIGGER search_gen_session_insert AFTER INSERT ON session BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_session_update AFTER UPDATE ON session BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_session_delete AFTER DELETE ON session BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_org_insert AFTER INSERT ON org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_org_update AFTER UPDATE ON org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_org_delete AFTER DELETE ON org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_session_org_insert AFTER INSERT ON session_org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_session_org_update AFTER UPDATE ON session_org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_session_org_delete AFTER DELETE ON session_org BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_room_insert AFTER INSERT ON room BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_room_update AFTER UPDATE ON room BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_room_delete AFTER DELETE ON room BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_author_insert AFTER INSERT ON output_author BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_author_update AFTER UPDATE ON output_author BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_author_delete AFTER DELETE ON output_author BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_handler_insert AFTER INSERT ON output_handler BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_handler_update AFTER UPDATE ON output_handler BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_output_handler_delete AFTER DELETE ON output_handler BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_person_insert AFTER INSERT ON person BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_person_update AFTER UPDATE ON person BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER search_gen_person_delete AFTER DELETE ON person BEGIN
	UPDATE search_stats SET generation = generation + 1 WHERE id = 1;
END;
