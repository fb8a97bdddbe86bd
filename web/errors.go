package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
)

type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	// Until is a refusal's next opening or closing time.
	Until *time.Time `json:"until,omitempty"`
}

// fail answers with status and a JSON error, and logs it: 5xx as errors with
// the cause, 4xx at info level.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string, cause error) {
	if status >= 500 {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", cause)
	} else {
		s.Log.Info("request refused", "method", r.Method, "path", r.URL.Path, "status", status, "code", code, "error", msg)
	}
	writeJSON(w, status, errorBody{Error: msg, Code: code})
}

// failErr answers with the status and code that fit a dispenser or office
// error.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var ref *dispenser.Refusal
	if errors.As(err, &ref) {
		b := errorBody{Error: ref.Error(), Code: string(ref.Reason)}
		if !ref.Until.IsZero() {
			b.Until = &ref.Until
		}
		s.Log.Info("ticket refused", "path", r.URL.Path, "reason", ref.Reason, "service", ref.Service)
		writeJSON(w, http.StatusConflict, b)
		return
	}
	for _, m := range []struct {
		err    error
		status int
		code   string
	}{
		{dispenser.ErrInvalid, http.StatusBadRequest, "invalid"},
		{dispenser.ErrUnknownService, http.StatusNotFound, "unknown_service"},
		{dispenser.ErrUnknownDesk, http.StatusNotFound, "unknown_desk"},
		{dispenser.ErrUnknownTicket, http.StatusNotFound, "unknown_ticket"},
		{dispenser.ErrWrongState, http.StatusConflict, "wrong_state"},
		{dispenser.ErrNobodyWaiting, http.StatusConflict, "nobody_waiting"},
		{dispenser.ErrDuplicate, http.StatusConflict, "duplicate"},
		{office.ErrBroken, http.StatusServiceUnavailable, "stopped"},
	} {
		if errors.Is(err, m.err) {
			s.fail(w, r, m.status, m.code, err.Error(), err)
			return
		}
	}
	s.fail(w, r, http.StatusInternalServerError, "internal", "the change could not be recorded; nothing was changed", err)
}

// decode reads a JSON body into v strictly: bounded, no unknown fields, one
// value. An empty body leaves v as it is.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == io.EOF {
		return true
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body over %d bytes", MaxBody), nil)
			return false
		}
		s.fail(w, r, http.StatusBadRequest, "bad_json", "request body: "+strings.TrimPrefix(err.Error(), "json: "), nil)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) // the client may be gone; nothing to do about it
}
