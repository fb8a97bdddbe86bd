package central

import (
	"context"
	"errors"
	"time"

	"torn.cat/torn/dispenser"
)

// Store is central's SQL store: one schema, two engines (package
// central/sqlstore: SQLite embedded, PostgreSQL for several instances).
// Its methods are safe for concurrent use.
type Store interface {
	// AddDevice registers a device; ErrExists if its id is taken.
	AddDevice(ctx context.Context, d Device) error
	// Device returns device id; ErrNotFound if there is none.
	Device(ctx context.Context, id string) (Device, error)
	// RevokeDevice marks device id revoked; ErrNotFound if there is none.
	RevokeDevice(ctx context.Context, id string) error
	// Devices lists the devices by id.
	Devices(ctx context.Context) ([]Device, error)

	// Ingest stores events of device, idempotently on (device, seq): an
	// event already stored is skipped, whatever its content. In the same
	// transaction it updates the office's mirror (the latest snapshot of
	// each ticket, desk and book the events carry; a DayStarted event
	// sets the office's day). It returns the device's acked sequence: the
	// highest N such that every sequence up to N is stored or gone.
	Ingest(ctx context.Context, device, office string, evs []dispenser.Event) (acked uint64, err error)
	// Gone records that the device's events up to through will never
	// come (purged on the device unsent) and returns the new acked.
	Gone(ctx context.Context, device string, through uint64) (acked uint64, err error)
	// Acked returns the device's acked sequence (0 for a new device).
	Acked(ctx context.Context, device string) (uint64, error)
	// Events returns the device's stored events with seq > after, in
	// order, at most limit.
	Events(ctx context.Context, device string, after uint64, limit int) ([]dispenser.Event, error)

	// PutOfficeConfig stores the office's config as its device last
	// said it (syncproto.OfficeConfig as JSON).
	PutOfficeConfig(ctx context.Context, office string, config []byte) error
	// OfficeConfig returns it; ErrNotFound if no device said it yet.
	OfficeConfig(ctx context.Context, office string) ([]byte, error)
	// Snapshot returns the office's mirror as a dispenser snapshot: its
	// day, the tickets of that day, the desks, the books of that day and
	// later.
	Snapshot(ctx context.Context, office string) (dispenser.Snapshot, error)
	// OfficeOfToken returns the office of the ticket with tracking token
	// tok among the mirrors' current tickets; ErrNotFound if none.
	OfficeOfToken(ctx context.Context, tok string) (string, error)
	// Offices lists the offices central has heard of, by id, with their
	// device and when it was last seen.
	Offices(ctx context.Context) ([]OfficeInfo, error)
	// SeenDevice records that device connected or sent something at t.
	SeenDevice(ctx context.Context, device string, t time.Time) error

	// PutBooks stores appointment books for office, replacing each day's,
	// in one transaction, each with a new version ("c-<n>", n growing per
	// office), and queues a message to the office's device for each.
	// It returns the books with their versions.
	PutBooks(ctx context.Context, office string, books []dispenser.Book) ([]dispenser.Book, error)
	// Books returns the office's books of day from and later.
	Books(ctx context.Context, office string, from dispenser.Date) ([]dispenser.Book, error)

	// Enqueue queues a message (book, config, command; its JSON) for
	// office's device, under id (unique; ErrExists if taken).
	Enqueue(ctx context.Context, office string, m Outgoing) error
	// Pending returns office's queued messages without an answer, in the
	// order they were queued.
	Pending(ctx context.Context, office string) ([]Outgoing, error)
	// Answer records the answer of office's device to message id: ""
	// when applied, else the refusal; the message is no longer pending.
	// ErrNotFound if office has no such message (another office's device
	// cannot answer it).
	Answer(ctx context.Context, office, id, refusal string) error

	// AddAPIKey registers an API key (its SHA-256) for the appointments
	// API, for office ("" for every office); APIKey looks one up by hash,
	// ErrNotFound if unknown or revoked.
	AddAPIKey(ctx context.Context, k APIKey) error
	APIKey(ctx context.Context, hash []byte) (APIKey, error)
	// RevokeAPIKeys revokes every key called name and returns how many
	// it revoked; ErrNotFound if none was active.
	RevokeAPIKeys(ctx context.Context, name string) (int, error)

	// Notify tells every instance on this database that office changed;
	// Listen calls fn with the office of each notification (its own
	// included) until ctx ends. On SQLite both stay in the process.
	// A notification may be lost (PostgreSQL's are not durable): a
	// listener catches up from the events, never from the payload. After
	// the listener lost its connection and got it back, fn is called
	// with "": every office may have changed meanwhile.
	Notify(ctx context.Context, office string) error
	Listen(ctx context.Context, fn func(office string)) error

	// Indicators computes the quality indicators of q (checked with
	// IndicatorQuery.Check), a row per group in the order of their keys;
	// ErrNotFound (naming it) for an office central never heard of.
	Indicators(ctx context.Context, q IndicatorQuery) ([]Indicators, error)
	// RefreshIndicators brings up to date what Indicators reads for every
	// day whose events changed since, and returns how many office-days
	// that was: Indicators does it for its period anyway, but a report
	// covering a long time nobody asked about need not wait for it.
	RefreshIndicators(ctx context.Context) (int, error)

	Close() error
}

// Errors of the Store.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrBadQuery is an impossible indicator query: its message says why.
	ErrBadQuery = errors.New("bad query")
)

// A Device is a tornd that may connect.
type Device struct {
	ID     string
	Office string
	// TokenHash is the SHA-256 of the device's token.
	TokenHash []byte
	Revoked   bool
	Created   time.Time
	// LastSeen is when it last connected or sent something; zero if never.
	LastSeen time.Time
}

// OfficeInfo is an office as central knows it.
type OfficeInfo struct {
	ID     string
	Device string
	// Day is the mirror's business day; Acked the device's acked seq.
	Day      dispenser.Date
	Acked    uint64
	LastSeen time.Time
}

// Outgoing is a message queued for an office's device.
type Outgoing struct {
	ID string
	// Body is the message's JSON (a syncproto.Book, Config or Command).
	Body   []byte
	Queued time.Time
}

// APIKey is a key of the appointments API.
type APIKey struct {
	Name string
	// Hash is the SHA-256 of the key.
	Hash []byte
	// Office limits the key to one office; "" is every office.
	Office  string
	Revoked bool
	Created time.Time
}
