-- Every ticket of every office and day as its latest event left it: the
-- facts the quality indicators are computed from. Times are milliseconds
-- since 1970 (UTC); hour and weekday are the issue's in the office's time
-- zone (weekday 0 is Sunday). wait_ms is NULL for a ticket never called,
-- service_ms for one not done.
CREATE TABLE tickets (
	office      text NOT NULL,
	day         text NOT NULL,
	id          text NOT NULL,
	device_id   text NOT NULL,
	seq         bigint NOT NULL,
	service     text NOT NULL,
	kind        text NOT NULL,
	state       text NOT NULL,
	reason      text NOT NULL,
	desk        text NOT NULL,
	clerk       text NOT NULL,
	hour        smallint NOT NULL,
	weekday     smallint NOT NULL,
	issued      bigint NOT NULL,
	wait_ms     bigint,
	service_ms  bigint,
	estimate_ms bigint NOT NULL,
	slot        bigint,
	appointment text NOT NULL,
	transfers   integer NOT NULL,
	PRIMARY KEY (office, day, id)
);
CREATE INDEX tickets_day ON tickets (day);
