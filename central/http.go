package central

import (
	"encoding/json"
	"net"
	"net/http"
	"time"
)

type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) // the client may be gone; nothing to do about it
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Code: code})
}

// trackingRate is how many tracking requests one address may make per
// second, with a burst of trackingBurst: phones reload every 15 s.
const (
	trackingRate  = 2.0
	trackingBurst = 20.0
)

type bucket struct {
	tokens float64
	at     time.Time
}

// allow reports whether r's address may make another tracking request
// (a token bucket per address).
func (s *Server) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil || len(s.buckets) > 100000 {
		s.buckets = map[string]*bucket{}
	}
	b := s.buckets[host]
	if b == nil {
		b = &bucket{tokens: trackingBurst, at: now}
		s.buckets[host] = b
	}
	b.tokens = min(trackingBurst, b.tokens+now.Sub(b.at).Seconds()*trackingRate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
