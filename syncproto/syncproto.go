// Package syncproto holds the messages of the sync protocol between a
// device (tornd) and torn-central, version 1, as docs/protocol.md
// describes them, with their close codes and limits. It does no I/O:
// package uplink (the device) and package central use it over gorilla
// websockets.
package syncproto

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"torn.cat/torn/dispenser"
)

// Version is the protocol version this code speaks.
const Version = 1

// Limits.
const (
	// MaxMessage is the largest message either side reads.
	MaxMessage = 1 << 20
	// MaxBatch is the most events in one events message.
	MaxBatch = 500
	// MaxInFlight is how many events a device sends past the last ack.
	MaxInFlight = 5000
	// PingEvery is how often each side pings; ReadTimeout is how long it
	// waits for anything (a pong included) before it closes.
	PingEvery   = 20 * time.Second
	ReadTimeout = 60 * time.Second
	// WriteTimeout is every write's deadline.
	WriteTimeout = 10 * time.Second
	// Path is where central takes devices' websockets.
	Path = "/sync"
)

// Close codes (websocket close frames), beyond the standard 1000, 1001 and
// 1009.
const (
	CloseBadToken     = 4001 // unknown device or wrong token
	CloseRevoked      = 4002 // the device was revoked
	CloseBadVersion   = 4003 // unsupported protocol version
	CloseMalformed    = 4004 // a message that is not one of the protocol's
	CloseWrongOffice  = 4005 // data of another office than the device's
	CloseReplaced     = 4006 // the same device connected again
	CloseOutOfOrder   = 4007 // an events batch going backwards
	CloseGoingAway    = 1001
	CloseTooBig       = 1009
	CloseNormal       = 1000
	maxCloseReasonLen = 123
)

// Permanent reports whether a close code means retrying soon is useless:
// a person must fix something (the token, the office, an upgrade).
func Permanent(code int) bool {
	return code == CloseBadToken || code == CloseRevoked || code == CloseBadVersion || code == CloseWrongOffice
}

// Reason trims a close reason to what a close frame holds.
func Reason(s string) string {
	if len(s) <= maxCloseReasonLen {
		return s
	}
	return s[:maxCloseReasonLen]
}

// Message types.
const (
	TypeHello   = "hello"
	TypeWelcome = "welcome"
	TypeEvents  = "events"
	TypeGone    = "gone"
	TypeApplied = "applied"
	TypeAck     = "ack"
	TypeBook    = "book"
	TypeConfig  = "config"
	TypeCommand = "command"
)

// Hello is the device's first message.
type Hello struct {
	Type   string `json:"type"`
	Proto  int    `json:"proto"`
	Device string `json:"device"`
	Token  string `json:"token"`
	Office string `json:"office"`
	// Acked is the device's durable cursor; First the lowest sequence
	// still in its log (0 when the log is empty).
	Acked uint64 `json:"acked"`
	First uint64 `json:"first"`
	// Books maps the days the device holds a book for to its version.
	Books map[dispenser.Date]string `json:"books,omitempty"`
	// Config is the office's config as the device runs it.
	Config *OfficeConfig `json:"config,omitempty"`
}

// Welcome is central's answer to a good hello.
type Welcome struct {
	Type  string    `json:"type"`
	Proto int       `json:"proto"`
	Acked uint64    `json:"acked"`
	Time  time.Time `json:"time"`
}

// Events carries the next events of the device's log, in order.
type Events struct {
	Type   string            `json:"type"`
	Events []dispenser.Event `json:"events"`
}

// Gone says the device's log lost the events up to Through unsent.
type Gone struct {
	Type    string `json:"type"`
	Through uint64 `json:"through"`
}

// Applied answers a Book, Config or Command: Error is empty when it was
// applied, now or before.
type Applied struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Error string `json:"error,omitempty"`
}

// Ack says every event up to Seq is stored.
type Ack struct {
	Type string `json:"type"`
	Seq  uint64 `json:"seq"`
}

// Book is a day's appointments for the device to load.
type Book struct {
	Type string         `json:"type"`
	ID   string         `json:"id"`
	Book dispenser.Book `json:"book"`
}

// Config is configuration central holds for the office.
type Config struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	// OfficeKey is the key document numbers are hashed with, hex.
	OfficeKey string `json:"office_key,omitempty"`
}

// Command is a clerk's action relayed by central.
type Command struct {
	Type    string      `json:"type"`
	ID      string      `json:"id"`
	Command DeskCommand `json:"command"`
}

// DeskCommand is a desk action, as the LAN API's, or a cancel.
type DeskCommand struct {
	// Kind is next, recall, start, done, noshow, transfer, open, pause,
	// close or cancel.
	Kind   string `json:"kind"`
	Desk   string `json:"desk,omitempty"`
	Clerk  string `json:"clerk,omitempty"`
	To     string `json:"to,omitempty"`     // transfer
	Ticket string `json:"ticket,omitempty"` // cancel
	Reason string `json:"reason,omitempty"` // cancel
}

// Dispenser returns the dispenser command c stands for.
func (c DeskCommand) Dispenser() (dispenser.Command, error) {
	desk := dispenser.DeskID(c.Desk)
	switch c.Kind {
	case "next":
		return dispenser.CallNext{Desk: desk, Clerk: c.Clerk}, nil
	case "recall":
		return dispenser.Recall{Desk: desk}, nil
	case "start":
		return dispenser.Start{Desk: desk}, nil
	case "done":
		return dispenser.Finish{Desk: desk}, nil
	case "noshow":
		return dispenser.MarkNoShow{Desk: desk}, nil
	case "transfer":
		return dispenser.Transfer{Desk: desk, To: dispenser.ServiceID(c.To)}, nil
	case "open":
		return dispenser.SetDesk{Desk: desk, State: dispenser.DeskOpen, Clerk: c.Clerk}, nil
	case "pause":
		return dispenser.SetDesk{Desk: desk, State: dispenser.DeskPaused, Clerk: c.Clerk}, nil
	case "close":
		return dispenser.SetDesk{Desk: desk, State: dispenser.DeskClosed}, nil
	case "cancel":
		return dispenser.Cancel{Ticket: dispenser.TicketID(c.Ticket), Reason: c.Reason}, nil
	}
	return nil, fmt.Errorf("unknown command kind %q", c.Kind)
}

// OfficeConfig is a dispenser.Config as JSON: the time zone by name.
type OfficeConfig struct {
	Office   string              `json:"office"`
	Name     string              `json:"name"`
	TimeZone string              `json:"time_zone"`
	Services []dispenser.Service `json:"services"`
	Desks    []dispenser.Desk    `json:"desks"`
	Rules    dispenser.Rules     `json:"rules"`
}

// NewOfficeConfig returns c as it travels.
func NewOfficeConfig(c dispenser.Config) *OfficeConfig {
	tz := ""
	if c.Location != nil {
		tz = c.Location.String()
	}
	return &OfficeConfig{Office: c.Office, Name: c.Name, TimeZone: tz, Services: c.Services, Desks: c.Desks, Rules: c.Rules}
}

// Dispenser returns the config as the dispenser takes it.
func (oc *OfficeConfig) Dispenser() (dispenser.Config, error) {
	c := dispenser.Config{Office: oc.Office, Name: oc.Name, Services: oc.Services, Desks: oc.Desks, Rules: oc.Rules}
	if oc.TimeZone != "" {
		loc, err := time.LoadLocation(oc.TimeZone)
		if err != nil {
			return c, fmt.Errorf("office config: time zone %q: %w", oc.TimeZone, err)
		}
		c.Location = loc
	}
	return c, nil
}

// ErrMalformed: a message that is not JSON, has no known type, or does
// not fit its type.
var ErrMalformed = errors.New("malformed message")

// Decode reads one message: it returns a pointer to the message type its
// "type" names (*Hello, *Events, …).
func Decode(b []byte) (any, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var m any
	switch head.Type {
	case TypeHello:
		m = &Hello{}
	case TypeWelcome:
		m = &Welcome{}
	case TypeEvents:
		m = &Events{}
	case TypeGone:
		m = &Gone{}
	case TypeApplied:
		m = &Applied{}
	case TypeAck:
		m = &Ack{}
	case TypeBook:
		m = &Book{}
	case TypeConfig:
		m = &Config{}
	case TypeCommand:
		m = &Command{}
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrMalformed, head.Type)
	}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, head.Type, err)
	}
	if ev, ok := m.(*Events); ok {
		if len(ev.Events) == 0 || len(ev.Events) > MaxBatch {
			return nil, fmt.Errorf("%w: events: %d in a batch, want 1 to %d", ErrMalformed, len(ev.Events), MaxBatch)
		}
		for i := 1; i < len(ev.Events); i++ {
			if ev.Events[i].Seq <= ev.Events[i-1].Seq {
				return nil, fmt.Errorf("%w: events: seq %d after %d", ErrMalformed, ev.Events[i].Seq, ev.Events[i-1].Seq)
			}
		}
		for _, e := range ev.Events {
			if e.Seq == 0 {
				return nil, fmt.Errorf("%w: events: an event without seq", ErrMalformed)
			}
		}
	}
	return m, nil
}
