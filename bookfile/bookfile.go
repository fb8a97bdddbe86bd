// Package bookfile reads appointment books from the files and requests
// they come in: CSV, as offices export them from their booking system, and
// JSON, as central and scripts send them.
//
// A document number in clear is hashed the moment its row is read, with
// the function the caller passes (the office key's HMAC), and is never kept,
// logged or put in an error: errors name the row and the column only.
package bookfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
)

// MaxSize bounds a file or a request body: 5000 appointments a day for a
// week, with room to spare.
const MaxSize = 8 << 20

// MaxRows bounds the appointments of one file.
const MaxRows = 7 * dispenser.MaxAppointments

// Options say how to read a file.
type Options struct {
	// Hash turns a document number in clear (DNI, NIE, passport) into its
	// keyed hash, or says why it is not a valid number. Nil refuses rows
	// with numbers in clear.
	Hash func(number string) (string, error)
	// Location is the office's time zone, for slot times without an
	// offset. Required.
	Location *time.Location
	// Version labels the books read; default the file's SHA-256, short.
	Version string
	// Services, when set, are the office's services: a row of another
	// is an error.
	Services []dispenser.ServiceID
}

// An Error lists every bad row of a file; nothing of the file is loaded.
type Error struct {
	// Rows holds one error per problem, each naming its row (the line of
	// a CSV file, the index of a JSON appointment, from 1).
	Rows []RowError
}

// A RowError is one problem of one row.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Msg    string `json:"error"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
	}
	return fmt.Sprintf("row %d: %s: %s", e.Row, e.Column, e.Msg)
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing loaded", len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-i)
			break
		}
		b.WriteString("; ")
		b.WriteString(r.Error())
	}
	return b.String()
}

// row is one appointment as read, before it is checked.
type row struct {
	n                                 int
	id, slot, service, document, hash string
	name                              string
}

// Read reads a CSV or JSON file (format "csv" or "json") and returns its
// appointments as books, one per day in day order, each in slot order. A
// file with a bad row returns an *Error listing every one.
//
// CSV: a header row, then one appointment per row. Columns, in any order:
// slot (required: "2026-11-24 10:30" in the office's time zone, or RFC
// 3339), service (required: the service's id), document (a DNI, NIE or
// passport number in clear, hashed at once) or document_hash (64 hex
// digits, the office key's HMAC), id (optional: made from the slot, the
// service and the hash), name (optional: shown to the clerk only). A
// semicolon-separated file (as spreadsheets in Catalan and Spanish save
// it) is read as well.
//
// JSON: {"version": "...", "appointments": [{"id", "slot", "service",
// "document" or "document_hash", "name"}]}.
func Read(r io.Reader, format string, opts Options) ([]dispenser.Book, error) {
	if opts.Location == nil {
		return nil, errors.New("read appointments: no time zone")
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read appointments: %w", err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("read appointments: larger than %d MiB", MaxSize>>20)
	}
	var rows []row
	var syntax []RowError
	version := opts.Version
	switch format {
	case "csv":
		rows, syntax, err = readCSV(b)
	case "json":
		rows, version, err = readJSON(b, version)
	default:
		return nil, fmt.Errorf("read appointments: format %q: want csv or json", format)
	}
	if err != nil {
		return nil, err
	}
	if version == "" {
		sum := sha256.Sum256(b)
		version = hex.EncodeToString(sum[:6])
	}
	return books(rows, syntax, version, opts)
}

// readCSV reads the rows of a CSV file, n the line of each, and the rows
// it could not read.
func readCSV(b []byte) ([]row, []RowError, error) {
	b = bytes.TrimPrefix(b, []byte("\ufeff")) // a spreadsheet's byte-order mark
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &Error{Rows: []RowError{{Row: 1, Msg: "the file is empty: want a header row (slot, service, document or document_hash, id, name)"}}}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read appointments: %w", err)
	}
	col := map[string]int{}
	var errs []RowError
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "slot", "service", "document", "document_hash", "id", "name":
		default:
			errs = append(errs, RowError{Row: 1, Column: h, Msg: "unknown column: want slot, service, document, document_hash, id, name"})
			continue
		}
		if _, dup := col[h]; dup {
			errs = append(errs, RowError{Row: 1, Column: h, Msg: "column given twice"})
		}
		col[h] = i
	}
	for _, need := range []string{"slot", "service"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, RowError{Row: 1, Column: need, Msg: "missing column"})
		}
	}
	_, doc := col["document"]
	_, hash := col["document_hash"]
	if !doc && !hash {
		errs = append(errs, RowError{Row: 1, Column: "document", Msg: "missing column: want document or document_hash"})
	}
	if len(errs) > 0 {
		return nil, nil, &Error{Rows: errs}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, RowError{Row: pe.Line, Msg: pe.Err.Error()})
				continue
			}
			return nil, nil, fmt.Errorf("read appointments: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) == MaxRows {
			return nil, nil, &Error{Rows: []RowError{{Row: line, Msg: fmt.Sprintf("more than %d appointments in one file", MaxRows)}}}
		}
		rows = append(rows, row{n: line, id: get(rec, "id"), slot: get(rec, "slot"), service: get(rec, "service"),
			document: get(rec, "document"), hash: get(rec, "document_hash"), name: get(rec, "name")})
	}
	return rows, errs, nil
}

// readJSON reads the rows of a JSON file; n is the appointment's index
// from 1.
func readJSON(b []byte, version string) ([]row, string, error) {
	var f struct {
		Version      string `json:"version"`
		Appointments []struct {
			ID           string `json:"id"`
			Slot         string `json:"slot"`
			Service      string `json:"service"`
			Document     string `json:"document"`
			DocumentHash string `json:"document_hash"`
			Name         string `json:"name"`
		} `json:"appointments"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		// The decoder's messages quote no values, only types and fields.
		return nil, "", &Error{Rows: []RowError{{Row: 0, Msg: "not an appointments JSON document: " + err.Error()}}}
	}
	if len(f.Appointments) > MaxRows {
		return nil, "", &Error{Rows: []RowError{{Row: MaxRows + 1, Msg: fmt.Sprintf("more than %d appointments in one file", MaxRows)}}}
	}
	if version == "" {
		version = f.Version
	}
	rows := make([]row, len(f.Appointments))
	for i, a := range f.Appointments {
		rows[i] = row{n: i + 1, id: a.ID, slot: a.Slot, service: a.Service, document: a.Document, hash: a.DocumentHash, name: a.Name}
	}
	return rows, version, nil
}

// books checks the rows, hashes the numbers in clear and groups them by
// day.
func books(rows []row, errs []RowError, version string, opts Options) ([]dispenser.Book, error) {
	byDay := map[dispenser.Date]*dispenser.Book{}
	ids := map[dispenser.Date]map[dispenser.AppointmentID]int{}
	for i := range rows {
		r := &rows[i]
		bad := func(col, format string, args ...any) {
			errs = append(errs, RowError{Row: r.n, Column: col, Msg: fmt.Sprintf(format, args...)})
		}
		slot, err := parseSlot(r.slot, opts.Location)
		if err != nil {
			bad("slot", "%v", err)
		}
		switch {
		case r.service == "":
			bad("service", "empty")
		case opts.Services != nil && !slices.Contains(opts.Services, dispenser.ServiceID(r.service)):
			bad("service", "unknown service %q", r.service)
		}
		var hash string
		switch {
		case r.document != "" && r.hash != "":
			bad("document", "give document or document_hash, not both")
		case r.document != "":
			if opts.Hash == nil {
				bad("document", "numbers in clear are not taken here: give document_hash")
				break
			}
			// The number is not quoted: errors go to logs.
			if hash, err = opts.Hash(r.document); err != nil {
				bad("document", "%v", err)
			}
		case r.hash != "":
			hash = strings.ToLower(r.hash)
			if !dispenser.IsDocumentHash(hash) {
				bad("document_hash", "not 64 hex digits")
			}
		default:
			bad("document", "empty: want document or document_hash")
		}
		if len(r.name) > 80 {
			bad("name", "longer than 80 bytes")
		}
		if len(r.id) > 64 {
			bad("id", "longer than 64 bytes")
		}
		if slot.IsZero() {
			continue
		}
		id := dispenser.AppointmentID(r.id)
		if id == "" {
			sum := sha256.Sum256([]byte(slot.UTC().Format(time.RFC3339) + "|" + r.service + "|" + hash))
			id = dispenser.AppointmentID(hex.EncodeToString(sum[:8]))
		}
		day := dispenser.Date(slot.In(opts.Location).Format(time.DateOnly))
		if ids[day] == nil {
			ids[day] = map[dispenser.AppointmentID]int{}
		}
		if prev, dup := ids[day][id]; dup {
			bad("id", "the same appointment as row %d", prev)
			continue
		}
		ids[day][id] = r.n
		b := byDay[day]
		if b == nil {
			b = &dispenser.Book{Day: day, Version: version}
			byDay[day] = b
		}
		b.Appointments = append(b.Appointments, dispenser.Booking{ID: id, Slot: slot.UTC(), Service: dispenser.ServiceID(r.service), DocumentHash: hash, Name: r.name})
	}
	for day, b := range byDay {
		if len(b.Appointments) > dispenser.MaxAppointments {
			errs = append(errs, RowError{Msg: fmt.Sprintf("%s has %d appointments: at most %d a day", day, len(b.Appointments), dispenser.MaxAppointments)})
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
		return nil, &Error{Rows: errs}
	}
	out := make([]dispenser.Book, 0, len(byDay))
	for _, b := range byDay {
		sort.SliceStable(b.Appointments, func(i, j int) bool { return b.Appointments[i].Slot.Before(b.Appointments[j].Slot) })
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// slotLayouts are the local forms a slot may take.
var slotLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05", "02/01/2006 15:04"}

func parseSlot(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range slotLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want \"2026-11-24 10:30\" (the office's time) or RFC 3339", s)
}

// Format returns "csv" or "json" for a file name or a media type, or "".
func Format(nameOrType string) string {
	s := strings.ToLower(nameOrType)
	switch {
	case strings.HasSuffix(s, ".csv"), strings.HasPrefix(s, "text/csv"):
		return "csv"
	case strings.HasSuffix(s, ".json"), strings.HasPrefix(s, "application/json"):
		return "json"
	}
	return ""
}
