package web

import (
	"bytes"
	"html/template"
	"image/png"
	"net/http"
	"strconv"
)

// paperPages is how many of the virtual printer's last tickets /printer
// shows.
const paperPages = 12

var paperTmpl = template.Must(template.New("paper").Parse(`<!doctype html>
<html lang="ca"><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Torn: virtual printer</title>
<style>body{background:#666;font-family:sans-serif;color:#fff}
img{display:inline-block;margin:1em;vertical-align:top;box-shadow:0 2px 8px #000}</style>
<h1>Virtual printer: the last {{len .}} tickets, newest first</h1>
{{range .}}<img src="/printer/{{.}}" alt="ticket {{.}}">{{end}}
</html>`))

// paperPage shows the virtual printer's last tickets as they would look on
// paper.
func (s *Server) paperPage(w http.ResponseWriter, r *http.Request) {
	if s.Paper == nil {
		s.fail(w, r, http.StatusNotFound, "no_virtual_printer", "this dispenser has no virtual printer", nil)
		return
	}
	pages, err := s.Paper.Pages()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal", "the virtual printer could not render its paper", err)
		return
	}
	var idx []int
	for i := len(pages) - 1; i >= 0 && len(idx) < paperPages; i-- {
		idx = append(idx, i)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	paperTmpl.Execute(w, idx)
}

// paperImage is one page of the virtual printer's paper, as PNG.
func (s *Server) paperImage(w http.ResponseWriter, r *http.Request) {
	if s.Paper == nil {
		s.fail(w, r, http.StatusNotFound, "no_virtual_printer", "this dispenser has no virtual printer", nil)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	pages, perr := s.Paper.Pages()
	if perr != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal", "the virtual printer could not render its paper", perr)
		return
	}
	if err != nil || n < 0 || n >= len(pages) {
		s.fail(w, r, http.StatusNotFound, "not_found", "no such page", nil)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, pages[n]); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal", "encode the page", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(buf.Bytes())
}
