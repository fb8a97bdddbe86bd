// Package web serves tornd's HTTP surfaces on the office LAN: the JSON API
// that issues tickets, runs the desks' actions and reads the queue, and
// /healthz. (The display, kiosk, desk and ticket pages come on top of it.)
//
// Every change goes through office.Office.Do, the single writer; the
// handlers only translate HTTP to commands and back. Bad input is answered
// with a 4xx status and a JSON body {"error": "...", "code": "..."} that says
// what is wrong, and changes nothing.
//
// The API is documented in docs/api.md.
package web
