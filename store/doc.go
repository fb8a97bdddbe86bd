// Package store is the durable memory of one tornd device: a single bbolt
// file that holds the event log, the current state the dispenser is rebuilt
// from at boot, and the sync cursor.
//
// It owns the bbolt layout, the transactions, the checks at boot, the
// retention purge and the outbox cursor. It never decides queue state: the
// dispenser decides, and Commit records what it decided. It never replays the
// log at boot, never stores a document number (only the keyed hash the
// dispenser hands it, and that only until the retention scrubs it), and
// never panics on a damaged file: faults and bbolt's assertions on bad pages
// come back as errors wrapping [ErrCorrupt].
//
// Every Commit is one bbolt Update transaction, fsynced unless
// Options.NoSync: when Commit returns nil, the events, their sequence
// numbers and the state they lead to are on disk together, or none of them
// is.
//
// # Layout
//
// Buckets at the root of the file (schema version 3):
//
//	meta     "version"  schema version, uint64 big-endian (3)
//	         "day"      the current business day, "2006-01-02"
//	         "last"     time of the last committed event, RFC 3339 with nanoseconds
//	         "acked"    sync cursor: highest seq acknowledged by central, uint64 big-endian
//	         "scrubbed" scrub cursor: every event up to this seq is past the
//	                    personal-data retention and carries no document hash,
//	                    uint64 big-endian
//	events   seq, uint64 big-endian → the dispenser.Event, seq included.
//	         The bucket's own sequence is the last seq handed out; it only
//	         grows, so purged numbers are never reused.
//	tickets  ticket id → the ticket's latest dispenser.Ticket; today's
//	         tickets only (a DayStarted event removes the others)
//	desks    desk id → the desk's latest dispenser.DeskStatus
//	applied  id of a message from central (a book, a command) → the seq of
//	         the first event its application committed: a repeat is not
//	         applied again
//	books    day "2006-01-02" → the day's dispenser.Book of appointments;
//	         today's and later days' only (a DayStarted event removes
//	         the earlier ones)
//
// Events, tickets, desks and books are in the binary encoding of codec.go: a
// format byte, then a presence bitmap and the fields present, with varints,
// strings and times in nanoseconds counted from a base. An event of a ticket
// served at a desk, with both snapshots, takes 150 to 165 bytes (700 in
// JSON). Times come back in UTC.
//
// Version 1, which a development build wrote, stored them as JSON; this
// code refuses such a file rather than convert it, as no release ever wrote
// one. Version 2 had no books nor applied ids: Open adds the buckets and moves it to 3.
//
// Absent keys read as zero: a new store has no day, no last time, nothing
// acknowledged.
package store
