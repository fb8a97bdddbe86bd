// Package central is torn-central's server side: the hub the devices'
// websockets land on (ingest, acknowledgements, the messages central
// sends), each office's mirror, the public tracking page, the
// appointment intake and the overview for municipal IT. It stores through
// the Store interface (package central/sqlstore: SQLite or PostgreSQL).
//
// It never edits a queue: what an office's queue is, its device decides;
// central mirrors the events and relays commands for the device to apply.
package central
