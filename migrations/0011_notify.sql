-- 0011: what the reminder scheduler needs: a lease so one process runs a job at a time, the
-- reminders already sent (so a restart or a second process never sends one twice), and a
-- partial index for the unread count shown in every signed-in page's header.

-- A named lease: held by holder until expires_at (epoch seconds). Taken or renewed with one
-- statement (lease_take, src/model/lease.c); a lease whose time is up may be taken by
-- anyone.
CREATE TABLE lease (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);

-- One row per reminder sent: kind (reply_due, commitment_due), the object (output or
-- commitment id) and the day it reminds of (YYYY-MM-DD, China time) with the stage ('week':
-- seven days before, 'day': on the day). A changed due date gets reminders of its own.
CREATE TABLE reminder_sent (
	kind TEXT NOT NULL,
	entity_id INTEGER NOT NULL,
	due_on TEXT NOT NULL,
	stage TEXT NOT NULL CHECK (stage IN ('week', 'day')),
	sent_at INTEGER NOT NULL,
	PRIMARY KEY (kind, entity_id, due_on, stage)
);

CREATE INDEX notification_unread ON notification(user_id) WHERE read_at IS NULL;

-- What the reminder job looks at once a tick: outputs waiting for a reply, commitments not
-- done.
CREATE INDEX output_reply_due ON output(reply_due) WHERE state = 'assigned';
CREATE INDEX commitment_due ON commitment(due_date) WHERE status IN ('open', 'in_progress');
