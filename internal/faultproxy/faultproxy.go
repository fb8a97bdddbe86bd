// Package faultproxy is a websocket proxy for fault tests: it stands
// between a device and central and, at random from a seed, drops, delays,
// duplicates and reorders nothing but what a network can do to a
// websocket's messages, and cuts connections.
package faultproxy

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Faults are the chances, per message, of each fault.
type Faults struct {
	Drop      float64       // the message is lost
	Duplicate float64       // the message arrives twice
	Delay     float64       // the message waits up to MaxDelay (later ones wait behind it)
	MaxDelay  time.Duration // default 50ms
	Cut       float64       // both connections are cut after this message
}

// Counts are the faults done so far.
type Counts struct {
	Messages, Dropped, Duplicated, Delayed, Cut atomic.Int64
}

// Proxy forwards websockets to Target with Faults.
type Proxy struct {
	// Target is the upstream's ws:// URL.
	Target string
	Faults Faults
	Counts Counts

	mu     sync.Mutex
	rng    *rand.Rand
	server *httptest.Server
	conns  map[*websocket.Conn]struct{}
}

// Start starts a proxy to target with faults drawn from seed; URL is
// where devices connect. Close stops it.
func Start(target string, faults Faults, seed uint64) *Proxy {
	p := &Proxy{Target: target, Faults: faults, rng: rand.New(rand.NewPCG(seed, 0x666175)), conns: map[*websocket.Conn]struct{}{}}
	if p.Faults.MaxDelay == 0 {
		p.Faults.MaxDelay = 50 * time.Millisecond
	}
	p.server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// URL is the proxy's ws:// URL, path included as the device dials it.
func (p *Proxy) URL(path string) string {
	return "ws" + strings.TrimPrefix(p.server.URL, "http") + path
}

// Close cuts every connection and stops the proxy.
func (p *Proxy) Close() {
	p.CutAll()
	p.server.Close()
}

// CutAll cuts every connection now.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// SetFaults changes the faults from now on (the end of a test turns them
// off to let everything through).
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.MaxDelay == 0 {
		f.MaxDelay = 50 * time.Millisecond
	}
	p.Faults = f
}

// roll draws the fault for one message.
func (p *Proxy) roll() (drop, dup, cut bool, delay time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.Faults
	drop = p.rng.Float64() < f.Drop
	dup = p.rng.Float64() < f.Duplicate
	cut = p.rng.Float64() < f.Cut
	if p.rng.Float64() < f.Delay {
		delay = time.Duration(p.rng.Int64N(int64(f.MaxDelay)))
	}
	return
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	target := p.Target + r.URL.Path
	up, _, err := websocket.DefaultDialer.Dial(target, nil)
	if err != nil {
		http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	down, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		up.Close()
		return
	}
	p.mu.Lock()
	p.conns[up], p.conns[down] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go p.pump(down, up, done)
	go p.pump(up, down, done)
	<-done
	up.Close()
	down.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, up)
	delete(p.conns, down)
	p.mu.Unlock()
}

// pump copies messages from src to dst with faults; close frames pass
// untouched.
func (p *Proxy) pump(src, dst *websocket.Conn, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	for {
		typ, b, err := src.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				dst.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ce.Text), time.Now().Add(time.Second))
			}
			return
		}
		p.Counts.Messages.Add(1)
		drop, dup, cut, delay := p.roll()
		if delay > 0 {
			p.Counts.Delayed.Add(1)
			time.Sleep(delay)
		}
		if drop {
			p.Counts.Dropped.Add(1)
		} else {
			if dst.WriteMessage(typ, b) != nil {
				return
			}
			if dup {
				p.Counts.Duplicated.Add(1)
				if dst.WriteMessage(typ, b) != nil {
					return
				}
			}
		}
		if cut {
			p.Counts.Cut.Add(1)
			return
		}
	}
}
