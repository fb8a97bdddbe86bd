-- The rest of the facts the quality indicators need, kept at ingest: the
-- desks' snapshots and the cut-off refusals (day_events), and the
-- appointments the device loaded (bookings). Times in ms since 1970 (UTC);
-- hour is the local hour.
CREATE TABLE day_events (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	office    TEXT NOT NULL,
	day       TEXT NOT NULL,
	type      TEXT NOT NULL,
	at        INTEGER NOT NULL,
	desk      TEXT NOT NULL,
	state     TEXT NOT NULL,
	busy      INTEGER NOT NULL,
	service   TEXT NOT NULL,
	hour      INTEGER NOT NULL,
	PRIMARY KEY (device_id, seq)
);
CREATE INDEX day_events_day ON day_events (office, day);

CREATE TABLE bookings (
	office  TEXT NOT NULL,
	day     TEXT NOT NULL,
	id      TEXT NOT NULL,
	service TEXT NOT NULL,
	hour    INTEGER NOT NULL,
	PRIMARY KEY (office, day, id)
);

-- The office-days whose facts changed since their rollup was made;
-- version counts the changes, so that a rollup made while a change came
-- in does not clear it.
CREATE TABLE dirty_days (
	office  TEXT NOT NULL,
	day     TEXT NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (office, day)
);

-- The indicators' sums per office, day, service and dim ('' the whole
-- day, or desk, clerk, hour) and its key k: what a period's report adds
-- up instead of reading every ticket. sums are the counts and sums as
-- varints, waits and lateness histograms in whole seconds (rollup.go): a
-- report reads a few columns of many rows, in the order of the key.
CREATE TABLE ticket_days (
	office       TEXT NOT NULL,
	day          TEXT NOT NULL,
	dim          TEXT NOT NULL,
	k            TEXT NOT NULL,
	service      TEXT NOT NULL,
	sums         BLOB NOT NULL,
	waits        BLOB NOT NULL,
	lateness     BLOB NOT NULL,
	PRIMARY KEY (dim, day, office, k, service)
) WITHOUT ROWID;

-- Each desk's open and busy time per day.
CREATE TABLE desk_days (
	office  TEXT NOT NULL,
	day     TEXT NOT NULL,
	desk    TEXT NOT NULL,
	open_ms INTEGER NOT NULL,
	busy_ms INTEGER NOT NULL,
	PRIMARY KEY (day, office, desk)
) WITHOUT ROWID;

-- The days of tickets already stored need their rollups.
INSERT INTO dirty_days (office, day, version) SELECT DISTINCT office, day, 1 FROM tickets;
