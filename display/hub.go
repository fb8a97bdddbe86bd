package display

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
)

// RecentCalls is how many calls the display lists.
const RecentCalls = 6

// Call is one call as the display shows it.
type Call struct {
	// ID is the ticket's opaque id, for the spoken call's URL.
	ID     dispenser.TicketID `json:"id"`
	Number string             `json:"number"`
	// Desk is the desk's display name: "Taula 3".
	Desk string `json:"desk"`
	// Service is the service's name per language.
	Service map[dispenser.Lang]string `json:"service"`
	At      time.Time                 `json:"at"`
	// Calls counts the calls of this ticket: above 1 it is a recall.
	Calls int `json:"calls"`
}

// Waiting is a service's waiting count.
type Waiting struct {
	Service map[dispenser.Lang]string `json:"service"`
	Prefix  string                    `json:"prefix"`
	Count   int                       `json:"count"`
}

// View is everything a display page shows.
type View struct {
	Office  string    `json:"office"`
	Lang    string    `json:"lang"`
	Calls   []Call    `json:"calls"` // newest first
	Waiting []Waiting `json:"waiting"`
	Time    time.Time `json:"time"`
}

// Hub follows the office and pushes the view to the display pages.
type Hub struct {
	office *office.Office
	log    *slog.Logger
	sub    *office.Subscription

	mu      sync.Mutex
	view    []byte // the current view, as JSON
	clients map[chan []byte]struct{}
}

// New returns the hub of o. It subscribes at once, so no call made after
// New returns is missed.
func New(o *office.Office, log *slog.Logger) *Hub {
	h := &Hub{office: o, log: log, sub: o.Subscribe(), clients: map[chan []byte]struct{}{}}
	h.view = h.build()
	return h
}

// Run follows the office's events until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	defer func() { h.sub.Cancel() }()
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock() // the pages' connections end with the hub
			for c := range h.clients {
				delete(h.clients, c)
				close(c)
			}
			h.mu.Unlock()
			return
		case _, ok := <-h.sub.Events():
			if !ok { // fell behind: read the state again
				h.sub = h.office.Subscribe()
			}
			h.update(h.build())
		}
	}
}

// build reads the view from the office.
func (h *Hub) build() []byte {
	var v View
	h.office.View(func(d *dispenser.Dispenser, now time.Time) {
		c := d.Config()
		v.Office, v.Lang, v.Time = c.Name, string(dispenser.Catalan), now
		waiting := map[dispenser.ServiceID]int{}
		var called []dispenser.Ticket
		for _, t := range d.Tickets() {
			if t.State == dispenser.Waiting {
				waiting[t.Service]++
			}
			if !t.Called.IsZero() && t.Desk != "" {
				called = append(called, t)
			}
		}
		sort.Slice(called, func(i, j int) bool { return called[i].Called.After(called[j].Called) })
		v.Calls = []Call{}
		for _, t := range called[:min(len(called), RecentCalls)] {
			call := Call{ID: t.ID, Number: t.Number, Desk: string(t.Desk), At: t.Called, Calls: t.Calls}
			if dk := d.Desk(t.Desk); dk != nil {
				call.Desk = dk.Name
			}
			if s := d.Service(t.Service); s != nil {
				call.Service = s.Names
			}
			v.Calls = append(v.Calls, call)
		}
		for _, s := range c.Services {
			v.Waiting = append(v.Waiting, Waiting{Service: s.Names, Prefix: s.Prefix, Count: waiting[s.ID]})
		}
	})
	b, err := json.Marshal(v)
	if err != nil {
		h.log.Error("encode the display's view", "err", err)
	}
	return b
}

// update stores the view and sends it to every page; a page too slow to
// take it is dropped (it reconnects and gets the view anew).
func (h *Hub) update(b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.view = b
	for c := range h.clients {
		select {
		case c <- b:
		default:
			delete(h.clients, c)
			close(c)
		}
	}
}

func (h *Hub) join() chan []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := make(chan []byte, 8)
	c <- h.view
	h.clients[c] = struct{}{}
	return c
}

func (h *Hub) leave(c chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c)
	}
}

var upgrader = websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 4096}

const (
	writeWait  = 5 * time.Second
	pingPeriod = 20 * time.Second
	readLimit  = 512
)

// ServeHTTP upgrades to a websocket and sends the view, then every change.
// The display sends nothing; what it sends is read (bounded) and dropped.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the client
	}
	defer conn.Close()
	conn.SetReadLimit(readLimit)
	conn.SetReadDeadline(time.Now().Add(2 * pingPeriod))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(2 * pingPeriod)) })
	c := h.join()
	defer h.leave(c)
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-gone:
			return
		case b, ok := <-c:
			if !ok {
				return
			}
			conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
				return
			}
		case <-ping.C:
			conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}
