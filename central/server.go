package central

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"torn.cat/torn/syncproto"
)

// Server is one torn-central instance. Several may share one PostgreSQL
// store: each device's websocket lands on one of them, and changes reach
// the others through the store's Notify.
type Server struct {
	Store Store
	// Log gets the hub's and the pages' log lines. Default slog.Default().
	Log *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Keys is the directory of the office keys (<office>.key, as
	// `torn-central key generate` writes them), or "": document numbers
	// in clear are then refused by the appointment intake, and no key is
	// sent to devices.
	Keys string
	// RefreshEvery is how often Run brings the indicators' rollups up to
	// date in the background (RefreshIndicators): default 5 minutes,
	// negative never.
	RefreshEvery time.Duration

	once     sync.Once
	mu       sync.Mutex
	conns    map[string]*deviceConn              // by device id
	mirrors  map[string]*mirror                  // by office
	watchers map[string]map[chan struct{}]string // by office: tracking pages, by token
	buckets  map[string]*bucket                  // tracking requests by address
	closing  bool                                // Close was called
}

// Close ends every device's connection (1001, going away) and waits until
// their handlers have returned, so that nothing uses the store after: call
// it once the HTTP server takes no more requests, before closing the store.
func (s *Server) Close() {
	s.init()
	s.mu.Lock()
	s.closing = true
	conns := make([]*deviceConn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(syncproto.CloseGoingAway, "central shutting down")
	}
	for _, c := range conns {
		<-c.finished
	}
}

func (s *Server) init() {
	s.once.Do(func() {
		if s.Log == nil {
			s.Log = slog.Default()
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		s.conns = map[string]*deviceConn{}
		s.mirrors = map[string]*mirror{}
		s.watchers = map[string]map[chan struct{}]string{}
	})
}

// Handler returns central's routes.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /sync", s.sync)
	mux.HandleFunc("GET /t/{token}", s.tracking)
	mux.HandleFunc("GET /t/{token}/ws", s.trackingWS)
	mux.HandleFunc("PUT /api/offices/{office}/appointments", s.putAppointments)
	mux.HandleFunc("GET /api/offices/{office}/appointments", s.listAppointments)
	mux.HandleFunc("POST /api/offices/{office}/desks/{desk}/{action}", s.deskCommand)
	mux.HandleFunc("GET /api/offices", s.listOffices)
	mux.HandleFunc("GET /api/indicators", s.indicators)
	mux.HandleFunc("GET /offices", s.overview)
	mux.HandleFunc("GET /dashboard", s.dashboardPage)
	mux.HandleFunc("GET /dashboard/today", s.dashboardToday)
	mux.HandleFunc("GET /report", s.reportPage)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "not_found", "no such path: "+r.URL.Path)
	})
	return mux
}

// Run follows the store's notifications until ctx ends: each one marks
// the office's mirror stale, wakes the tracking pages that watch it, and
// sends the office's device (when it is connected here) what is queued
// for it.
//
// It also refreshes the indicators' rollups at start and every
// RefreshEvery, so that a report of a long period finds them made.
func (s *Server) Run(ctx context.Context) error {
	s.init()
	if s.RefreshEvery >= 0 {
		every := s.RefreshEvery
		if every == 0 {
			every = 5 * time.Minute
		}
		go s.refreshIndicators(ctx, every)
	}
	return s.Store.Listen(ctx, s.changed)
}

// refreshIndicators runs RefreshIndicators now and every period until ctx
// ends, logging what it did when it did something.
func (s *Server) refreshIndicators(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := s.Store.RefreshIndicators(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.Log.Error("indicators", "err", err)
		case n > 0:
			s.Log.Info("indicators brought up to date", "office_days", n, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// changed is what a notification about office sets off; "" is every
// office (the store's listener lost notifications).
func (s *Server) changed(office string) {
	s.mu.Lock()
	for id, m := range s.mirrors {
		if office == "" || id == office {
			m.stale()
		}
	}
	for id, ws := range s.watchers {
		if office != "" && id != office {
			continue
		}
		for ch := range ws {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
	var conns []*deviceConn
	for _, c := range s.conns {
		if office == "" || c.office == office {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.wake()
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "devices_connected": n, "time": s.Now().UTC()})
}
