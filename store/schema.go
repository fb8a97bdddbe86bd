package store

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
)

// schemaVersion is the layout this code reads and writes (see doc.go).
const schemaVersion = 1

// Bucket names and meta keys; doc.go describes them.
var (
	bucketMeta    = []byte("meta")
	bucketEvents  = []byte("events")
	bucketTickets = []byte("tickets")
	bucketDesks   = []byte("desks")

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
func checkSchema(tx *bbolt.Tx) (last uint64, fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if k, _ := tx.Cursor().First(); k != nil {
			return 0, false, corrupt("a bbolt file without a %q bucket", bucketMeta)
		}
		return 0, true, nil
	}
	version, err := getUint(meta, keyVersion)
	if err != nil {
		return 0, false, err
	}
	switch {
	case version > schemaVersion:
		return 0, false, fmt.Errorf("schema version %d is newer than this tornd (%d)", version, schemaVersion)
	case version < 1:
		return 0, false, corrupt("no schema version")
	}
	for _, name := range [][]byte{bucketEvents, bucketTickets, bucketDesks} {
		if tx.Bucket(name) == nil {
			return 0, false, corrupt("bucket %q is missing", name)
		}
	}
	events := tx.Bucket(bucketEvents)
	last = events.Sequence()
	if k, _ := events.Cursor().Last(); k != nil {
		if len(k) != 8 {
			return 0, false, corrupt("event key %x is not a sequence number", k)
		}
		// NextSequence would hand out a number already in the log.
		if seq := binary.BigEndian.Uint64(k); seq > last {
			return 0, false, corrupt("event %d is beyond the last sequence number %d", seq, last)
		}
	}
	acked, err := getUint(meta, keyAcked)
	if err != nil {
		return 0, false, err
	}
	if acked > last {
		return 0, false, corrupt("acknowledged sequence %d is beyond the last sequence number %d", acked, last)
	}
	return last, false, nil
}

// initSchema creates the buckets of schema version 1 in an empty file.
func initSchema(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketEvents, bucketTickets, bucketDesks} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return putUint(tx.Bucket(bucketMeta), keyVersion, schemaVersion)
}
