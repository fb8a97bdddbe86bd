-- The rest of the facts the quality indicators need, kept at ingest: the
-- desks' snapshots and the cut-off refusals (day_events), and the
-- appointments the device loaded (bookings). Times in ms since 1970 (UTC);
-- hour is the local hour.
CREATE TABLE day_events (
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	office    text NOT NULL,
	day       text NOT NULL,
	type      text NOT NULL,
	at        bigint NOT NULL,
	desk      text NOT NULL,
	state     text NOT NULL,
	busy      bigint NOT NULL,
	service   text NOT NULL,
	hour      bigint NOT NULL,
	PRIMARY KEY (device_id, seq)
);
CREATE INDEX day_events_day ON day_events (office, day);

CREATE TABLE bookings (
	office  text NOT NULL,
	day     text NOT NULL,
	id      text NOT NULL,
	service text NOT NULL,
	hour    bigint NOT NULL,
	PRIMARY KEY (office, day, id)
);

-- The office-days whose facts changed since their rollup was made;
-- version counts the changes, so that a rollup made while a change came
-- in does not clear it.
CREATE TABLE dirty_days (
	office  text NOT NULL,
	day     text NOT NULL,
	version bigint NOT NULL,
	PRIMARY KEY (office, day)
);

-- The indicators' sums per office, day, service and dim ('' the whole
-- day, or desk, clerk, hour) and its key k: what a period's report adds
-- up instead of reading every ticket. sums are the counts and sums as
-- varints, waits and lateness histograms in whole seconds (rollup.go): a
-- report reads a few columns of many rows, in the order of the key.
CREATE TABLE ticket_days (
	office       text NOT NULL,
	day          text NOT NULL,
	dim          text NOT NULL,
	k            text NOT NULL,
	service      text NOT NULL,
	sums         bytea NOT NULL,
	waits        bytea NOT NULL,
	lateness     bytea NOT NULL,
	PRIMARY KEY (dim, day, office, k, service)
);

-- Each desk's open and busy time per day.
CREATE TABLE desk_days (
	office  text NOT NULL,
	day     text NOT NULL,
	desk    text NOT NULL,
	open_ms bigint NOT NULL,
	busy_ms bigint NOT NULL,
	PRIMARY KEY (day, office, desk)
);

-- The days of tickets already stored need their rollups.
INSERT INTO dirty_days (office, day, version) SELECT DISTINCT office, day, 1 FROM tickets;
