package store

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// schemaVersion is the layout this code reads and writes (see doc.go).
const schemaVersion = 3

// Bucket names and meta keys; doc.go describes them.
var (
	bucketMeta    = []byte("meta")
	bucketEvents  = []byte("events")
	bucketTickets = []byte("tickets")
	bucketDesks   = []byte("desks")
	bucketBooks   = []byte("books")
	bucketApplied = []byte("applied")

	keyVersion  = []byte("version")
	keyDay      = []byte("day")
	keyLast     = []byte("last")
	keyAcked    = []byte("acked")
	keyScrubbed = []byte("scrubbed")
)

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func putUint(b *bbolt.Bucket, key []byte, v uint64) error {
	return b.Put(key, binary.BigEndian.AppendUint64(nil, v))
}

// getUint reads a uint64 meta value; an absent key is 0.
func getUint(b *bbolt.Bucket, key []byte) (uint64, error) {
	v := b.Get(key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, corrupt("meta %q is %d bytes, want 8", key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// checkSchema checks that tx holds a Torn database of a version this code
// knows, with its buckets and a sequence consistent with its events, and
// returns the last sequence number handed out. fresh reports a bbolt file
// with no bucket at all, which initSchema turns into a Torn database.
func checkSchema(tx *bbolt.Tx) (last uint64, fresh, old bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if k, _ := tx.Cursor().First(); k != nil {
			return 0, false, false, corrupt("a bbolt file without a %q bucket", bucketMeta)
		}
		return 0, true, false, nil
	}
	version, err := getUint(meta, keyVersion)
	if err != nil {
		return 0, false, false, err
	}
	switch {
	case version > schemaVersion:
		return 0, false, false, fmt.Errorf("schema version %d is newer than this tornd (%d)", version, schemaVersion)
	case version == 1:
		// Version 1 stored JSON; no release ever wrote it, so there is
		// nothing to migrate.
		return 0, false, false, fmt.Errorf("schema version 1 was written by an older development build of tornd; this tornd reads version %d — move the file away and start afresh", schemaVersion)
	case version < 1:
		return 0, false, false, corrupt("no schema version")
	}
	names := [][]byte{bucketEvents, bucketTickets, bucketDesks}
	// Version 2 had neither books nor applied ids; a development build
	// of version 3 had no applied ids yet: migrate adds what is missing.
	for _, name := range [][]byte{bucketBooks, bucketApplied} {
		if tx.Bucket(name) == nil {
			old = true
		}
	}
	for _, name := range names {
		if tx.Bucket(name) == nil {
			return 0, false, false, corrupt("bucket %q is missing", name)
		}
	}
	events := tx.Bucket(bucketEvents)
	last = events.Sequence()
	if k, _ := events.Cursor().Last(); k != nil {
		if len(k) != 8 {
			return 0, false, false, corrupt("event key %x is not a sequence number", k)
		}
		// NextSequence would hand out a number already in the log.
		if seq := binary.BigEndian.Uint64(k); seq > last {
			return 0, false, false, corrupt("event %d is beyond the last sequence number %d", seq, last)
		}
	}
	acked, err := getUint(meta, keyAcked)
	if err != nil {
		return 0, false, false, err
	}
	if acked > last {
		return 0, false, false, corrupt("acknowledged sequence %d is beyond the last sequence number %d", acked, last)
	}
	return last, false, old, nil
}

// migrate brings a version 2 file to version 3: the appointment books'
// and the applied ids' buckets are new, nothing else changed.
func migrate(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketBooks, bucketApplied} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return putUint(tx.Bucket(bucketMeta), keyVersion, schemaVersion)
}

// initSchema creates the buckets of the schema version in an empty file.
func initSchema(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketEvents, bucketTickets, bucketDesks, bucketBooks, bucketApplied} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return putUint(tx.Bucket(bucketMeta), keyVersion, schemaVersion)
}

// putEvent, putTicket and putDesk store a value under its key: the
// sequence number, the ticket id, the desk id. Their errors say what could
// not be encoded.
func putEvent(b *bbolt.Bucket, e *dispenser.Event) error {
	v, err := encodeEvent(e)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(seqKey(e.Seq), v)
}

func putTicket(b *bbolt.Bucket, t *dispenser.Ticket) error {
	v, err := encodeTicket(t)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put([]byte(t.ID), v)
}

func putDesk(b *bbolt.Bucket, d *dispenser.DeskStatus) error {
	v, err := encodeDesk(d)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put([]byte(d.ID), v)
}

// putBook stores b under its day.
func putBook(b *bbolt.Bucket, bk *dispenser.Book) error {
	v, err := encodeBook(bk)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put([]byte(bk.Day), v)
}

func getBook(k, v []byte) (dispenser.Book, error) {
	b, err := decodeBook(v)
	switch {
	case err != nil:
		return b, corrupt("book %q: %v", k, err)
	case string(b.Day) != string(k):
		return b, corrupt("book %q holds the book of %q", k, b.Day)
	}
	return b, nil
}

// getEvent, getTicket and getDesk decode value v stored under key k and
// check that it is the one k names. Their errors wrap ErrCorrupt.
func getEvent(k, v []byte) (dispenser.Event, error) {
	e, err := decodeEvent(v)
	switch {
	case err != nil:
		return e, corrupt("event %x: %v", k, err)
	case len(k) != 8 || binary.BigEndian.Uint64(k) != e.Seq:
		return e, corrupt("event %x holds seq %d", k, e.Seq)
	}
	return e, nil
}

func getTicket(k, v []byte) (dispenser.Ticket, error) {
	t, err := decodeTicket(v)
	switch {
	case err != nil:
		return t, corrupt("ticket %q: %v", k, err)
	case string(t.ID) != string(k):
		return t, corrupt("ticket %q holds ticket %q", k, t.ID)
	}
	return t, nil
}

func getDesk(k, v []byte) (dispenser.DeskStatus, error) {
	d, err := decodeDesk(v)
	switch {
	case err != nil:
		return d, corrupt("desk %q: %v", k, err)
	case string(d.ID) != string(k):
		return d, corrupt("desk %q holds desk %q", k, d.ID)
	}
	return d, nil
}
