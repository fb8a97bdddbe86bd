-- Central's store, first version (PostgreSQL): the tables of the SQLite
-- schema with PostgreSQL's types. JSON is json, kept as sent.

CREATE TABLE devices (
	id         text PRIMARY KEY,
	office     text NOT NULL,
	token_hash bytea NOT NULL,
	revoked    boolean NOT NULL DEFAULT false,
	created    timestamptz NOT NULL,
	last_seen  timestamptz
);

-- Every event of every device, as it sent it.
CREATE TABLE events (
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	office    text NOT NULL,
	time      timestamptz NOT NULL,
	type      text NOT NULL,
	body      json NOT NULL,
	PRIMARY KEY (device_id, seq)
);

-- acked: every seq up to it is stored or gone.
CREATE TABLE cursors (
	device_id    text PRIMARY KEY,
	acked        bigint NOT NULL DEFAULT 0,
	gone_through bigint NOT NULL DEFAULT 0
);

-- device: the one that last sent; day: the mirror's business day; last:
-- the latest event time.
CREATE TABLE offices (
	id     text PRIMARY KEY,
	device text NOT NULL DEFAULT '',
	day    text NOT NULL DEFAULT '',
	last   timestamptz,
	config json
);

-- The mirror: the latest snapshot of each ticket of the office's day and
-- of each desk, with the (device_id, seq) of the event that carried it.
CREATE TABLE mirror_tickets (
	office    text NOT NULL,
	id        text NOT NULL,
	day       text NOT NULL,
	token     text NOT NULL,
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	body      json NOT NULL,
	PRIMARY KEY (office, id)
);
CREATE INDEX mirror_tickets_token ON mirror_tickets (token);

CREATE TABLE mirror_desks (
	office    text NOT NULL,
	id        text NOT NULL,
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	body      json NOT NULL,
	PRIMARY KEY (office, id)
);

-- Appointment books, from PutBooks (device_id NULL) or from the events.
CREATE TABLE books (
	office    text NOT NULL,
	day       text NOT NULL,
	version   text NOT NULL,
	device_id text,
	seq       bigint,
	body      json NOT NULL,
	PRIMARY KEY (office, day)
);

-- n: the last "c-<n>" version given to a book of the office.
CREATE TABLE book_versions (
	office text PRIMARY KEY,
	n      bigint NOT NULL
);

-- Messages for the devices; n is the insertion order.
CREATE TABLE outgoing (
	n        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id       text NOT NULL UNIQUE,
	office   text NOT NULL,
	body     json NOT NULL,
	queued   timestamptz NOT NULL,
	answered timestamptz,
	refusal  text NOT NULL DEFAULT ''
);
CREATE INDEX outgoing_pending ON outgoing (office, queued, n) WHERE answered IS NULL;

CREATE TABLE api_keys (
	hash    bytea PRIMARY KEY,
	name    text NOT NULL,
	office  text NOT NULL DEFAULT '',
	revoked boolean NOT NULL DEFAULT false,
	created timestamptz NOT NULL
);
