package web

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Clerks are the accounts that may run the desks, and their sessions.
// Passwords are kept as bcrypt hashes (`tornd clerk hash` makes one).
type Clerks struct {
	// Hashes maps a clerk's name to the bcrypt hash of the password.
	Hashes map[string]string
	// Now is the clock. Default time.Now.
	Now func() time.Time

	mu       sync.Mutex
	sessions map[string]session
	failures map[string][]time.Time // by client address
}

type session struct {
	clerk   string
	expires time.Time
}

// SetHashes replaces the accounts, as a config reload does. A removed
// clerk's sessions end, and so do those of a clerk whose password changed:
// a new password is how a lost one is taken back.
func (c *Clerks) SetHashes(hashes map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for tok, s := range c.sessions {
		if h, ok := hashes[s.clerk]; !ok || h != c.Hashes[s.clerk] {
			delete(c.sessions, tok)
		}
	}
	c.Hashes = hashes
}

// Session and login limits.
const (
	SessionLife   = 10 * time.Hour
	SessionCookie = "torn_session"
	// MaxFailures wrong passwords from one address within FailureWindow
	// lock that address out until the window has passed.
	MaxFailures   = 5
	FailureWindow = 5 * time.Minute
)

func (c *Clerks) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Login checks name and password from client; it returns a session token,
// or locked when the client has failed too often.
func (c *Clerks) Login(client, name, password string) (token string, locked bool, ok bool) {
	c.mu.Lock()
	now := c.now()
	if c.failures == nil {
		c.failures = map[string][]time.Time{}
		c.sessions = map[string]session{}
	}
	recent := c.failures[client][:0]
	for _, t := range c.failures[client] {
		if now.Sub(t) < FailureWindow {
			recent = append(recent, t)
		}
	}
	c.failures[client] = recent
	if len(recent) >= MaxFailures {
		c.mu.Unlock()
		return "", true, false
	}
	hash, known := c.Hashes[name]
	c.mu.Unlock()
	if !known {
		hash = dummyHash // the same work, so that timing does not tell names apart
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !known {
		c.mu.Lock()
		c.failures[client] = append(c.failures[client], now)
		c.mu.Unlock()
		return "", false, false
	}
	b := make([]byte, 16)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	c.mu.Lock()
	c.sessions[token] = session{clerk: name, expires: now.Add(SessionLife)}
	c.mu.Unlock()
	return token, false, true
}

// dummyHash is compared against when the name is unknown.
var dummyHash = func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such clerk"), bcrypt.DefaultCost)
	return string(h)
}()

// Clerk returns the clerk of the request's session cookie.
func (c *Clerks) Clerk(r *http.Request) (string, bool) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[ck.Value]
	if !ok || c.now().After(s.expires) {
		delete(c.sessions, ck.Value)
		return "", false
	}
	return s.clerk, true
}

// Logout ends the request's session.
func (c *Clerks) Logout(r *http.Request) {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		c.mu.Lock()
		delete(c.sessions, ck.Value)
		c.mu.Unlock()
	}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login opens a clerk's session: a cookie, HttpOnly and SameSite=Strict.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.Clerks == nil {
		s.fail(w, r, http.StatusNotFound, "no_clerks", "this tornd has no clerk accounts", nil)
		return
	}
	var req loginRequest
	if !s.decode(w, r, &req) {
		return
	}
	token, locked, ok := s.Clerks.Login(clientAddr(r), req.Name, req.Password)
	switch {
	case locked:
		w.Header().Set("Retry-After", "300")
		s.fail(w, r, http.StatusTooManyRequests, "too_many_attempts", "too many wrong passwords: wait five minutes", nil)
	case !ok:
		s.Log.Warn("clerk login refused", "name", req.Name, "client", clientAddr(r))
		s.fail(w, r, http.StatusUnauthorized, "wrong_password", "wrong name or password", nil)
	default:
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, MaxAge: int(SessionLife / time.Second)})
		s.Log.Info("clerk logged in", "name", req.Name)
		writeJSON(w, http.StatusOK, map[string]string{"clerk": req.Name})
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.Clerks != nil {
		s.Clerks.Logout(r)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
	writeJSON(w, http.StatusOK, map[string]string{"status": "logged out"})
}
