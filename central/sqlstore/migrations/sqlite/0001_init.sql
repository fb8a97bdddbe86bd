-- Central's store, first version (SQLite). Times are RFC 3339 text in UTC
-- with nine fraction digits, so that they sort as text; JSON is text.

CREATE TABLE devices (
	id         TEXT PRIMARY KEY,
	office     TEXT NOT NULL,
	token_hash BLOB NOT NULL,
	revoked    INTEGER NOT NULL DEFAULT 0,
	created    TEXT NOT NULL,
	last_seen  TEXT
);

-- Every event of every device, as it sent it.
CREATE TABLE events (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	office    TEXT NOT NULL,
	time      TEXT NOT NULL,
	type      TEXT NOT NULL,
	body      TEXT NOT NULL,
	PRIMARY KEY (device_id, seq)
);

-- acked: every seq up to it is stored or gone.
CREATE TABLE cursors (
	device_id    TEXT PRIMARY KEY,
	acked        INTEGER NOT NULL DEFAULT 0,
	gone_through INTEGER NOT NULL DEFAULT 0
);

-- device: the one that last sent; day: the mirror's business day; last:
-- the latest event time.
CREATE TABLE offices (
	id     TEXT PRIMARY KEY,
	device TEXT NOT NULL DEFAULT '',
	day    TEXT NOT NULL DEFAULT '',
	last   TEXT,
	config TEXT
);

-- The mirror: the latest snapshot of each ticket of the office's day and
-- of each desk, with the (device_id, seq) of the event that carried it.
CREATE TABLE mirror_tickets (
	office    TEXT NOT NULL,
	id        TEXT NOT NULL,
	day       TEXT NOT NULL,
	token     TEXT NOT NULL,
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	body      TEXT NOT NULL,
	PRIMARY KEY (office, id)
);
CREATE INDEX mirror_tickets_token ON mirror_tickets (token);

CREATE TABLE mirror_desks (
	office    TEXT NOT NULL,
	id        TEXT NOT NULL,
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	body      TEXT NOT NULL,
	PRIMARY KEY (office, id)
);

-- Appointment books, from PutBooks (device_id NULL) or from the events.
CREATE TABLE books (
	office    TEXT NOT NULL,
	day       TEXT NOT NULL,
	version   TEXT NOT NULL,
	device_id TEXT,
	seq       INTEGER,
	body      TEXT NOT NULL,
	PRIMARY KEY (office, day)
);

-- n: the last "c-<n>" version given to a book of the office.
CREATE TABLE book_versions (
	office TEXT PRIMARY KEY,
	n      INTEGER NOT NULL
);

-- Messages for the devices; n is the insertion order.
CREATE TABLE outgoing (
	n        INTEGER PRIMARY KEY,
	id       TEXT NOT NULL UNIQUE,
	office   TEXT NOT NULL,
	body     TEXT NOT NULL,
	queued   TEXT NOT NULL,
	answered TEXT,
	refusal  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outgoing_pending ON outgoing (office, queued, n) WHERE answered IS NULL;

CREATE TABLE api_keys (
	hash    BLOB PRIMARY KEY,
	name    TEXT NOT NULL,
	office  TEXT NOT NULL DEFAULT '',
	revoked INTEGER NOT NULL DEFAULT 0,
	created TEXT NOT NULL
);
