package web

import (
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestEveryPageEveryLanguage renders every page in Catalan, Spanish and
// English and finds no missing catalogue key (shown as "!key") and no
// text left in another language by hand.
func TestEveryPageEveryLanguage(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	h := newServer(t, st, &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)})
	_, tk := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
	pages := []string{"/kiosk", "/kiosk/checkin", "/desk", "/desk?desk=taula1", "/t/" + tk["token"].(string), "/t/nope"}
	words := map[string]string{"ca": "Català", "es": "Castellano", "en": "English"}
	for _, page := range pages {
		for lang := range words {
			sep := "?"
			if strings.Contains(page, "?") {
				sep = "&"
			}
			_, body := getPage(t, h, page+sep+"lang="+lang)
			if i := strings.Index(body, ">!"); i >= 0 || strings.Contains(body, `"!`) {
				t.Errorf("%s in %s: a missing catalogue key near %q", page, lang, body[max(i, 0):min(max(i, 0)+60, len(body))])
			}
			if !strings.Contains(body, `lang="`+lang+`"`) {
				t.Errorf("%s in %s: the page does not say its language", page, lang)
			}
		}
	}
}
