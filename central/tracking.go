package central

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/web"
)

// tracking is the citizen's page that the ticket's QR code opens: the
// ticket as the office's mirror has it. No personal data.
func (s *Server) tracking(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		fail(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
		return
	}
	tok := r.PathValue("token")
	office, err := s.Store.OfficeOfToken(r.Context(), tok)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.Log.Error("tracking page", "err", err)
		}
		web.WriteTicketPage(w, r, nil, s.Now(), tok, true)
		return
	}
	err = s.mirrorOf(office).view(r.Context(), s.Store, func(d *dispenser.Dispenser) {
		web.WriteTicketPage(w, r, d, mirrorNow(d, s.Now()), tok, true)
	})
	if err != nil {
		s.Log.Error("tracking page", "office", office, "err", err)
		fail(w, http.StatusServiceUnavailable, "unavailable", "the office's queue cannot be read now")
	}
}

// trackingWS tells a tracking page when its ticket changed (called, its
// place or wait moved), so that it reloads; it ends when the ticket has
// nothing left to wait for.
func (s *Server) trackingWS(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		fail(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
		return
	}
	tok := r.PathValue("token")
	office, err := s.Store.OfficeOfToken(r.Context(), tok)
	if err != nil {
		fail(w, http.StatusNotFound, "unknown_ticket", "no such ticket")
		return
	}
	up := websocket.Upgrader{} // same origin only: the page is ours
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	ws.SetReadLimit(512)
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if s.watchers[office] == nil {
		s.watchers[office] = map[chan struct{}]string{}
	}
	s.watchers[office][ch] = tok
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers[office], ch)
		s.mu.Unlock()
	}()
	gone := make(chan struct{})
	go func() { // the page sends nothing; a read error is the page gone
		defer close(gone)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	m := s.mirrorOf(office)
	state := func() (string, bool) {
		var st string
		var open bool
		m.view(r.Context(), s.Store, func(d *dispenser.Dispenser) {
			t, ok := d.TicketByToken(tok)
			if !ok {
				return
			}
			ahead, wait, _ := d.Estimate(t.ID, mirrorNow(d, s.Now()))
			st = fmt.Sprintf("%s|%s|%d|%d", t.State, t.Desk, ahead, wait/time.Minute)
			open = t.State == dispenser.Waiting || t.State == dispenser.Called
		})
		return st, open
	}
	last, open := state()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	limit := time.NewTimer(8 * time.Hour)
	defer limit.Stop()
	for open {
		select {
		case <-gone:
			return
		case <-limit.C:
			return
		case <-ping.C:
			if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)) != nil {
				return
			}
		case <-ch:
			var now string
			now, open = state()
			if now == last {
				continue
			}
			last = now
			ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if ws.WriteMessage(websocket.TextMessage, []byte("changed")) != nil {
				return
			}
		}
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "done"), time.Now().Add(time.Second))
}
