package central

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
	"torn.cat/torn/syncproto"
)

// authorize checks the request's API key (Authorization: Bearer KEY, or
// the password of HTTP Basic for a browser) for office ("" asks for a key
// of every office). It answers 401 or 403 and returns false when it does
// not do.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, office string) bool {
	k, ok := s.apiKey(w, r)
	if !ok {
		return false
	}
	if k.Office != "" && k.Office != office {
		s.Log.Info("request refused: key of another office", "key", k.Name, "office", office)
		fail(w, http.StatusForbidden, "wrong_office", fmt.Sprintf("the key %q is for office %s", k.Name, k.Office))
		return false
	}
	return true
}

// apiKey returns the request's API key (Authorization: Bearer KEY, or the
// password of HTTP Basic), whatever its office. It answers 401, asking a
// browser for Basic auth, and returns false when there is no valid key.
func (s *Server) apiKey(w http.ResponseWriter, r *http.Request) (APIKey, bool) {
	key := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		key = strings.TrimPrefix(h, "Bearer ")
	} else if _, pw, ok := r.BasicAuth(); ok {
		key = pw
	}
	if key == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="torn-central"`)
		fail(w, http.StatusUnauthorized, "key_required", "an API key is required: Authorization: Bearer KEY")
		return APIKey{}, false
	}
	sum := sha256.Sum256([]byte(key))
	k, err := s.Store.APIKey(r.Context(), sum[:])
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.Log.Error("api key", "err", err)
		}
		s.Log.Info("request refused: unknown API key", "path", r.URL.Path, "remote", r.RemoteAddr)
		fail(w, http.StatusUnauthorized, "bad_key", "unknown or revoked API key")
		return APIKey{}, false
	}
	return k, true
}

// officeKey returns the office's key from the keys directory, or nil when
// there is none.
func (s *Server) officeKey(office string) ([]byte, error) {
	if s.Keys == "" || office == "" || strings.ContainsAny(office, `/\`) || strings.HasPrefix(office, ".") {
		return nil, nil
	}
	path := filepath.Join(s.Keys, office+".key")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return idcard.LoadKey(path)
}

// officeConfig returns the office's config as its device last said it.
func (s *Server) officeConfig(r *http.Request, office string) (dispenser.Config, error) {
	b, err := s.Store.OfficeConfig(r.Context(), office)
	if err != nil {
		return dispenser.Config{}, err
	}
	var oc syncproto.OfficeConfig
	if err := json.Unmarshal(b, &oc); err != nil {
		return dispenser.Config{}, err
	}
	return oc.Dispenser()
}

type bookSummary struct {
	Day          dispenser.Date `json:"day"`
	Version      string         `json:"version"`
	Appointments int            `json:"appointments"`
}

type badRows struct {
	errorBody
	Rows []bookfile.RowError `json:"rows"`
}

// putAppointments takes an office's appointments, a CSV or JSON file as
// tornd's (see bookfile): every day in it replaces that day's book, and
// the office's device gets them. A file with a bad row is refused whole,
// every bad row named.
func (s *Server) putAppointments(w http.ResponseWriter, r *http.Request) {
	office := r.PathValue("office")
	if !s.authorize(w, r, office) {
		return
	}
	format := bookfile.Format(r.Header.Get("Content-Type"))
	if format == "" {
		fail(w, http.StatusUnsupportedMediaType, "bad_media_type", "send text/csv or application/json")
		return
	}
	books, err := s.ReadBooks(r.Context(), office, http.MaxBytesReader(w, r.Body, bookfile.MaxSize), format)
	var be *bookfile.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, ErrNotFound):
		fail(w, http.StatusNotFound, "unknown_office", "no device of office "+office+" has connected yet: central does not know its services")
		return
	case errors.As(err, &be):
		s.Log.Info("appointments refused", "office", office, "rows", len(be.Rows))
		writeJSON(w, http.StatusUnprocessableEntity, badRows{errorBody{Error: be.Error(), Code: "bad_rows"}, be.Rows})
		return
	case errors.As(err, &mbe):
		fail(w, http.StatusRequestEntityTooLarge, "too_large", "the file is larger than the limit")
		return
	case errors.Is(err, errPastDay):
		fail(w, http.StatusUnprocessableEntity, "past_day", err.Error())
		return
	case err != nil:
		fail(w, http.StatusBadRequest, "bad_file", err.Error())
		return
	}
	stored, err := s.Store.PutBooks(r.Context(), office, books)
	if err != nil {
		s.Log.Error("appointments: store", "office", office, "err", err)
		fail(w, http.StatusInternalServerError, "internal", "the appointments could not be stored; nothing imported")
		return
	}
	s.Store.Notify(r.Context(), office)
	out := []bookSummary{}
	for _, b := range stored {
		out = append(out, bookSummary{Day: b.Day, Version: b.Version, Appointments: len(b.Appointments)})
		s.Log.Info("appointments imported", "office", office, "day", b.Day, "version", b.Version, "appointments", len(b.Appointments))
	}
	writeJSON(w, http.StatusOK, out)
}

// errPastDay: an appointments file with a day that has passed.
var errPastDay = errors.New("a day that has passed")

// ReadBooks reads an appointments file (format "csv" or "json") for
// office as the intake does: its services and time zone from the config
// its device sent, numbers in clear hashed with its key when central has
// it. Errors: ErrNotFound for an office no device has connected for, a
// *bookfile.Error naming every bad row, errPastDay.
func (s *Server) ReadBooks(ctx context.Context, office string, r io.Reader, format string) ([]dispenser.Book, error) {
	s.init()
	b, err := s.Store.OfficeConfig(ctx, office)
	if err != nil {
		return nil, err
	}
	var oc syncproto.OfficeConfig
	if err := json.Unmarshal(b, &oc); err != nil {
		return nil, fmt.Errorf("office %s: config: %w", office, err)
	}
	cfg, err := oc.Dispenser()
	if err != nil {
		return nil, err
	}
	opts := bookfile.Options{Location: cfg.Location}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	for _, sv := range cfg.Services {
		opts.Services = append(opts.Services, sv.ID)
	}
	key, err := s.officeKey(office)
	if err != nil {
		return nil, fmt.Errorf("office %s: %w", office, err)
	}
	if key != nil {
		h, err := idcard.NewHasher(key)
		if err != nil {
			return nil, fmt.Errorf("office %s: %w", office, err)
		}
		opts.Hash = h.Hash
	}
	books, err := bookfile.Read(r, format, opts)
	if err != nil {
		return nil, err
	}
	today := dispenser.Date(s.Now().In(opts.Location).Format(time.DateOnly))
	for _, b := range books {
		if b.Day < today {
			return nil, fmt.Errorf("the file has appointments on %s, %w; nothing imported", b.Day, errPastDay)
		}
	}
	return books, nil
}

type appointmentJSON struct {
	ID      dispenser.AppointmentID `json:"id"`
	Slot    time.Time               `json:"slot"`
	Service dispenser.ServiceID     `json:"service"`
	Name    string                  `json:"name,omitempty"`
}

type bookJSON struct {
	Day          dispenser.Date    `json:"day"`
	Version      string            `json:"version"`
	Appointments []appointmentJSON `json:"appointments"`
}

// listAppointments lists the office's books from today, without hashes.
func (s *Server) listAppointments(w http.ResponseWriter, r *http.Request) {
	office := r.PathValue("office")
	if !s.authorize(w, r, office) {
		return
	}
	loc := time.UTC
	if cfg, err := s.officeConfig(r, office); err == nil && cfg.Location != nil {
		loc = cfg.Location
	}
	books, err := s.Store.Books(r.Context(), office, dispenser.Date(s.Now().In(loc).Format(time.DateOnly)))
	if err != nil {
		s.Log.Error("appointments: list", "office", office, "err", err)
		fail(w, http.StatusInternalServerError, "internal", "the appointments cannot be read")
		return
	}
	out := []bookJSON{}
	for _, b := range books {
		bj := bookJSON{Day: b.Day, Version: b.Version, Appointments: []appointmentJSON{}}
		for _, a := range b.Appointments {
			bj.Appointments = append(bj.Appointments, appointmentJSON{ID: a.ID, Slot: a.Slot.In(loc), Service: a.Service, Name: a.Name})
		}
		out = append(out, bj)
	}
	writeJSON(w, http.StatusOK, out)
}

type commandRequest struct {
	Clerk  string `json:"clerk"`
	To     string `json:"to"`
	Ticket string `json:"ticket"`
	Reason string `json:"reason"`
}

// deskCommand relays a clerk's action to the office's device: it is
// queued, sent when the device is connected, applied once, and its
// outcome comes back as the device's events.
func (s *Server) deskCommand(w http.ResponseWriter, r *http.Request) {
	office := r.PathValue("office")
	if !s.authorize(w, r, office) {
		return
	}
	var req commandRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && err.Error() != "EOF" {
		fail(w, http.StatusBadRequest, "bad_json", "the body is not a JSON object of clerk, to, ticket, reason")
		return
	}
	dc := syncproto.DeskCommand{Kind: r.PathValue("action"), Desk: r.PathValue("desk"), Clerk: req.Clerk, To: req.To, Ticket: req.Ticket, Reason: req.Reason}
	if _, err := dc.Dispenser(); err != nil {
		fail(w, http.StatusNotFound, "unknown_action", err.Error())
		return
	}
	id := "cmd-" + randomHex(12)
	body, err := json.Marshal(syncproto.Command{Type: syncproto.TypeCommand, ID: id, Command: dc})
	if err == nil {
		err = s.Store.Enqueue(r.Context(), office, Outgoing{ID: id, Body: body, Queued: s.Now().UTC()})
	}
	if err != nil {
		s.Log.Error("desk command", "office", office, "err", err)
		fail(w, http.StatusInternalServerError, "internal", "the command could not be queued")
		return
	}
	s.Store.Notify(r.Context(), office)
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id})
}

// sendKey queues the office key for the office's device, once per key.
func (s *Server) sendKey(ctx context.Context, office string) {
	key, err := s.officeKey(office)
	if err != nil {
		s.Log.Error("office key", "office", office, "err", err)
		return
	}
	if key == nil {
		return
	}
	sum := sha256.Sum256(key)
	id := "key-" + office + "-" + hex.EncodeToString(sum[:6])
	body, _ := json.Marshal(syncproto.Config{Type: syncproto.TypeConfig, ID: id, OfficeKey: hex.EncodeToString(key)})
	err = s.Store.Enqueue(ctx, office, Outgoing{ID: id, Body: body, Queued: s.Now().UTC()})
	if err != nil && !errors.Is(err, ErrExists) {
		s.Log.Error("office key: queue", "office", office, "err", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
