// Package sqlstore is central's store (central.Store) on SQL: SQLite
// through modernc.org/sqlite, embedded, for a single torn-central, and
// PostgreSQL through github.com/jackc/pgx/v5, shared by several. One
// schema, migrated at open (migrations/<engine>/NNNN_*.sql), and one set
// of queries, written with ? placeholders and rebound to $n for
// PostgreSQL.
//
// Ingest is idempotent on (device, seq): INSERT … ON CONFLICT DO NOTHING
// on the primary key, in one transaction with the office's mirror (each
// ticket's, desk's and book's latest snapshot, which an older event never
// overwrites, so batches may come in any order) and the device's cursor,
// which advances over contiguous sequences only. Concurrent calls for one
// office are serialised by the lock on its row (PostgreSQL) or by the
// single writer connection (SQLite).
//
// Times are stored in UTC to the microsecond (PostgreSQL's precision;
// SQLite holds them as fixed-width RFC 3339 text so that they sort) and
// returned in UTC; event, ticket, desk and book bodies keep their JSON,
// with times in UTC to the nanosecond.
//
// Notify and Listen are PostgreSQL's NOTIFY and LISTEN on the channel
// torn_office, with the office as payload; on SQLite they stay in the
// process. The package never decides anything about a queue: it stores
// what devices and central's server tell it.
package sqlstore
