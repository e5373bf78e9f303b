-- 0010: notifications (in the app), and the queue of the e-mails that carry them.
-- A notification is addressed to an account (user_id: the inbox) and, when the person has
-- one, to an e-mail address (mail_queue). Its title is made when it is read, from the kind
-- and the subject (the title of the object it is about), in the reader's language.

CREATE TABLE notification (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES org(id),
	user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
	person_id INTEGER REFERENCES person(id),
	kind TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read_at INTEGER
);
CREATE INDEX notification_user ON notification(user_id, id);
CREATE INDEX notification_person ON notification(person_id);

-- E-mails to send: one per notification whose person has an address. Retried with backoff
-- (attempts, next_at) until sent; the row stays as the record of delivery.
CREATE TABLE mail_queue (
	id INTEGER PRIMARY KEY,
	notification_id INTEGER REFERENCES notification(id) ON DELETE CASCADE,
	to_addr TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,
	sent_at INTEGER,
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue(sent_at, next_at);
