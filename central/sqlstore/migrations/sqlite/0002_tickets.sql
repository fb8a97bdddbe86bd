-- Every ticket of every office and day as its latest event left it: the
-- facts the quality indicators are computed from. Times are milliseconds
-- since 1970 (UTC); hour and weekday are the issue's in the office's time
-- zone (weekday 0 is Sunday). wait_ms is NULL for a ticket never called,
-- service_ms for one not done.
CREATE TABLE tickets (
	office      TEXT NOT NULL,
	day         TEXT NOT NULL,
	id          TEXT NOT NULL,
	device_id   TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	service     TEXT NOT NULL,
	kind        TEXT NOT NULL,
	state       TEXT NOT NULL,
	reason      TEXT NOT NULL,
	desk        TEXT NOT NULL,
	clerk       TEXT NOT NULL,
	hour        INTEGER NOT NULL,
	weekday     INTEGER NOT NULL,
	issued      INTEGER NOT NULL,
	wait_ms     INTEGER,
	service_ms  INTEGER,
	estimate_ms INTEGER NOT NULL,
	slot        INTEGER,
	appointment TEXT NOT NULL,
	transfers   INTEGER NOT NULL,
	PRIMARY KEY (office, day, id)
);
CREATE INDEX tickets_day ON tickets (day);
