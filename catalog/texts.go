package catalog

// The texts of the ticket.
var ca = map[string]string{
	"ticket.your_number":   "El vostre torn",
	"ticket.ahead.none":    "Sou el següent",
	"ticket.ahead.one":     "1 persona davant",
	"ticket.ahead.many":    "%d persones davant",
	"ticket.wait":          "Espera aproximada: %s",
	"ticket.wait.none":     "Espera aproximada: menys d'1 minut",
	"ticket.appointment":   "Cita a les %s",
	"ticket.follow":        "Seguiu la cua des del mòbil:",
	"ticket.issued":        "%s",
	"duration.minutes":     "%d min",
	"duration.hours":       "%d h %02d min",
	"printer.test.title":   "Pàgina de prova",
	"printer.test.chars":   "Caràcters",
	"printer.test.qr":      "Codi QR",
	"printer.test.status":  "Estat",
	"printer.out_of_paper": "Sense paper: demaneu a la taula",
}

var es = map[string]string{
	"ticket.your_number":   "Su turno",
	"ticket.ahead.none":    "Es usted el siguiente",
	"ticket.ahead.one":     "1 persona delante",
	"ticket.ahead.many":    "%d personas delante",
	"ticket.wait":          "Espera aproximada: %s",
	"ticket.wait.none":     "Espera aproximada: menos de 1 minuto",
	"ticket.appointment":   "Cita a las %s",
	"ticket.follow":        "Siga la cola desde el móvil:",
	"ticket.issued":        "%s",
	"duration.minutes":     "%d min",
	"duration.hours":       "%d h %02d min",
	"printer.test.title":   "Página de prueba",
	"printer.test.chars":   "Caracteres",
	"printer.test.qr":      "Código QR",
	"printer.test.status":  "Estado",
	"printer.out_of_paper": "Sin papel: pregunte en el mostrador",
}

var en = map[string]string{
	"ticket.your_number":   "Your number",
	"ticket.ahead.none":    "You are next",
	"ticket.ahead.one":     "1 person ahead",
	"ticket.ahead.many":    "%d people ahead",
	"ticket.wait":          "Estimated wait: %s",
	"ticket.wait.none":     "Estimated wait: under 1 minute",
	"ticket.appointment":   "Appointment at %s",
	"ticket.follow":        "Follow the queue on your phone:",
	"ticket.issued":        "%s",
	"duration.minutes":     "%d min",
	"duration.hours":       "%d h %02d min",
	"printer.test.title":   "Test page",
	"printer.test.chars":   "Characters",
	"printer.test.qr":      "QR code",
	"printer.test.status":  "Status",
	"printer.out_of_paper": "Out of paper: please ask at the desk",
}
