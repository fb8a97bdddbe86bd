package web

import (
	"context"
	"image"
	"log/slog"
	"net/http"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/uplink"
)

// MaxBody bounds every request body.
const MaxBody = 8 << 10

// Server serves the LAN API of one office.
type Server struct {
	Office *office.Office
	// Log receives request errors. Default slog.Default().
	Log *slog.Logger
	// Reprint prints a ticket again, when the dispenser has a printer.
	Reprint func(dispenser.TicketID) error
	// Clerks, when set, are the accounts that may run the desks: the desk
	// actions then need a clerk's session. Nil leaves them open (a bench
	// set-up; tornd says so in its log).
	Clerks *Clerks
	// KioskScreen is the kiosk's screen, so that its buttons are big
	// enough for a finger: the zero value is a 10.1" portrait panel.
	KioskScreen Screen
	// TrackingURL is the start of a ticket's live-page URL, for QR codes;
	// the token is appended.
	TrackingURL string
	// Voice speaks the calls on the display, or is nil (no spoken calls).
	Voice interface {
		File(ctx context.Context, lang, text string) (string, error)
	}
	// Chime plays a chime before each call on the display.
	Chime bool
	// Display serves the display's websocket, /display/ws, or is nil.
	Display http.Handler
	// CheckIns checks appointments in, or is nil: the kiosk then offers
	// no check-in and the API refuses it.
	CheckIns *CheckIns
	// Reader says a document reader is at the dispenser: the kiosk invites
	// citizens to use it.
	Reader bool
	// Sync reports the link to central, or is nil (an office offline by
	// design): /healthz and /metrics show it.
	Sync func() uplink.Status
	// Devices reports the devices' states (printer, document reader,
	// panel, displays, central), or is nil: /healthz, /api/status and
	// /metrics show them.
	Devices func() []DeviceStatus
	// LastSeq is the store's last event sequence number, or nil: /metrics
	// shows it.
	LastSeq func() uint64
	// Paper is the virtual printer's paper, shown on /printer, or nil.
	Paper interface {
		Pages() ([]*image.Gray, error)
	}
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metrics)
	mux.HandleFunc("GET /api/status", s.getStatus)
	mux.HandleFunc("GET /api/office", s.getOffice)
	mux.HandleFunc("GET /api/queue", s.getQueue)
	mux.HandleFunc("GET /api/tickets", s.listTickets)
	mux.HandleFunc("POST /api/tickets", s.issue)
	mux.HandleFunc("GET /api/tickets/{id}", s.getTicket)
	mux.HandleFunc("POST /api/tickets/{id}/cancel", s.cancel)
	mux.HandleFunc("POST /api/tickets/{id}/reprint", s.reprint)
	mux.HandleFunc("GET /t/{token}", s.ticketPage)
	mux.HandleFunc("GET /t/{token}/qr.png", s.ticketQR)
	mux.HandleFunc("GET /kiosk", s.kiosk)
	mux.HandleFunc("POST /kiosk/issue", s.kioskIssue)
	mux.HandleFunc("GET /kiosk/checkin", s.kioskCheckIn)
	mux.HandleFunc("POST /kiosk/checkin", s.kioskCheckInPost)
	mux.HandleFunc("GET /kiosk/scan/{n}", s.kioskScan)
	mux.HandleFunc("GET /kiosk/events", s.kioskEvents)
	mux.HandleFunc("POST /api/checkin", s.apiCheckIn)
	mux.HandleFunc("GET /api/appointments", s.listAppointments)
	mux.HandleFunc("PUT /api/appointments", s.putAppointments)
	mux.HandleFunc("DELETE /api/appointments/{day}", s.deleteAppointments)
	mux.HandleFunc("GET /display", s.displayPage)
	mux.HandleFunc("GET /display/chime.wav", s.chime)
	mux.HandleFunc("GET /display/voice/{id}", s.voice)
	mux.HandleFunc("GET /display/ws", func(w http.ResponseWriter, r *http.Request) {
		if s.Display == nil {
			s.fail(w, r, http.StatusNotFound, "no_display", "this tornd serves no display", nil)
			return
		}
		s.Display.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /printer", s.paperPage)
	mux.HandleFunc("GET /printer/{n}", s.paperImage)
	mux.HandleFunc("GET /api/desks", s.listDesks)
	mux.HandleFunc("POST /api/desks/{desk}/{action}", s.deskAction)
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("GET /desk", s.deskPage)
	mux.HandleFunc("POST /desk/login", s.deskLogin)
	mux.HandleFunc("POST /api/logout", s.logout)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "not_found", "no such path: "+r.URL.Path, nil)
	})
	return mux
}
