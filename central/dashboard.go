package central

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"torn.cat/torn/dispenser"
)

// The service managers' dashboard (GET /dashboard) and the printable
// period report (GET /report): today's live state of their offices, and
// the quality indicators of a period as figures, charts and tables, in
// Catalan, Spanish or English. Their texts live here rather than in
// package catalog, which holds what citizens and clerks see on the
// devices: these pages exist only in central.

//go:embed templates/*.html
var templateFiles embed.FS

var pageTmpl = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))

// dashLangs are the pages' languages, in the order they are offered.
var dashLangs = []string{"ca", "es", "en"}

var dashMatcher = language.NewMatcher([]language.Tag{language.Catalan, language.Spanish, language.English})

// langOf is the page's language: ?lang= when it is one of ours, else the
// best of the browser's Accept-Language, else Catalan.
func langOf(r *http.Request) lang {
	if l := r.URL.Query().Get("lang"); slices.Contains(dashLangs, l) {
		return lang(l)
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			if _, i, conf := dashMatcher.Match(tags...); conf != language.No {
				return lang(dashLangs[i])
			}
		}
	}
	return "ca"
}

// lang is a page's language; its methods are what the templates call to
// say things in it.
type lang string

// T returns the text of key, formatted with args; the Catalan one when
// the language lacks it, "!key" when every language does (the tests look
// for it).
func (l lang) T(key string, args ...any) string {
	s, ok := dashTexts[string(l)][key]
	if !ok {
		s, ok = dashTexts["ca"][key]
	}
	if !ok {
		return "!" + key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Dur is a duration in words, to the second below an hour: "45 s",
// "12 min 30 s", "1 h 05 min".
func (l lang) Dur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return l.T("dur.s", int(d/time.Second))
	case d < time.Hour && d%time.Minute == 0:
		return l.T("dur.m", int(d/time.Minute))
	case d < time.Hour:
		return l.T("dur.ms", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return l.T("dur.hm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Int is a count, its thousands grouped the language's way.
func (l lang) Int(n int) string {
	s := strconv.Itoa(n)
	sep, from := ".", 5 // Catalan and Spanish group from 10 000
	if l == "en" {
		sep, from = ",", 4
	}
	if len(s) < from || n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Dec is v with one decimal, the language's decimal mark.
func (l lang) Dec(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if l != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Pct is a share (0–1) as a percentage: "85,3 %", "85.3%".
func (l lang) Pct(share float64) string {
	return l.T("pct", l.Dec(share*100))
}

// Date is a business day: "02/03/2026", "2 Mar 2026".
func (l lang) Date(d dispenser.Date) string {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return string(d)
	}
	if l == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02/01/2006")
}

// Weekday names weekday n, 0 Sunday.
func (l lang) Weekday(n int) string { return l.T("weekday." + strconv.Itoa(n)) }

// Month names a month, "2026-03": "març 2026".
func (l lang) Month(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return l.T("month."+strconv.Itoa(int(t.Month())), t.Year())
}

// Bias says how much longer (or shorter) than printed the waits were on
// average; "" when they were as printed.
func (l lang) Bias(d time.Duration) string {
	switch {
	case d >= time.Second:
		return l.T("sum.bias", l.Dur(d))
	case d <= -time.Second:
		return l.T("sum.bias.early", l.Dur(-d))
	}
	return ""
}

// Name is the language's own name, for the switcher.
func (l lang) Name() string { return l.T("lang.name") }

// dashTimeZone is where "today" and the default period are reckoned.
var dashTimeZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// dashDays is the default period: the last 30 days up to today.
const dashDays = 30

// longPeriod is the longest period whose trend table is by day; longer
// ones are by month.
const longPeriod = 62

// pageError is a bad request as a page says it: the status and the text
// in the page's language.
type pageError struct {
	Status int
	Text   string
}

// dashboard holds what the dashboard and the report show.
type dashboard struct {
	L lang
	// Generated is when the page was made, in Europe/Madrid.
	Generated time.Time
	From, To  dispenser.Date
	// By is the trend table's grouping: ByDay or ByMonth.
	By Dimension
	// ByParam is by as the URL said it ("" for automatic).
	ByParam string
	// Offices are the offices the key may see, for the form; Chosen those
	// shown ("" none: every office the key may see).
	Offices []officeChoice
	Chosen  []string
	// Target is the wait a ticket should be called within.
	Target time.Duration
	Total  Indicators
	Charts []dashChart
	Tables []dashTable
	Today  []officeRow
	// Path is the page's own path, for the language links.
	Path string
	// query is the period and offices as URL parameters, without lang.
	query url.Values
}

type officeChoice struct {
	ID, Name string
	Selected bool
}

type dashChart struct {
	Heading string
	SVG     template.HTML
}

// dashTable is a table of indicators by one dimension.
type dashTable struct {
	L       lang
	ID      string
	Heading string
	// Column heads the first column.
	Column string
	Rows   []dashRow
	// CSV is the same table from /api/indicators.
	CSV string
	// Utilisation is whether the dimension has desk times.
	Utilisation bool
	// Within heads the column of the share within target.
	Within string
}

type dashRow struct {
	Label string
	I     Indicators
}

// Link is the page at path with the period and offices, in lang l ("" the
// page's).
func (d *dashboard) Link(path string, l lang) string {
	v := url.Values{}
	for k, vs := range d.query {
		v[k] = vs
	}
	if l == "" {
		l = d.L
	}
	v.Set("lang", string(l))
	return path + "?" + v.Encode()
}

// Langs are the languages to switch to.
func (d *dashboard) Langs() []lang {
	out := make([]lang, len(dashLangs))
	for i, l := range dashLangs {
		out[i] = lang(l)
	}
	return out
}

// OfficeNames names the chosen offices, or says they are all.
func (d *dashboard) OfficeNames() string {
	if len(d.Chosen) == 0 {
		return d.L.T("form.all")
	}
	var names []string
	for _, id := range d.Chosen {
		name := id
		for _, o := range d.Offices {
			if o.ID == id && o.Name != "" {
				name = o.Name + " (" + id + ")"
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// Day is the day the page was made.
func (d *dashboard) Day() dispenser.Date { return dispenser.Date(d.Generated.Format(time.DateOnly)) }

// TodayURL is the fragment of today's figures the page refreshes.
func (d *dashboard) TodayURL() string { return d.Link("/dashboard/today", "") }

// dashboardOf reads the period, the offices and the language from r, checks
// the key may see them, and answers the error itself (401 and 403 as
// authorize does; the others as pages in the language) when it cannot.
func (s *Server) dashboardOf(w http.ResponseWriter, r *http.Request) (*dashboard, bool) {
	key, ok := s.apiKey(w, r)
	if !ok {
		return nil, false
	}
	l := langOf(r)
	d, perr := s.readDashboard(r, key, l)
	if perr != nil {
		s.errorPage(w, l, perr)
		return nil, false
	}
	return d, true
}

func (s *Server) readDashboard(r *http.Request, key APIKey, l lang) (*dashboard, *pageError) {
	v := r.URL.Query()
	now := s.Now().In(dashTimeZone)
	d := &dashboard{L: l, Generated: now, Target: DefaultTarget, Path: r.URL.Path, query: url.Values{}}
	today := now.Format(time.DateOnly)
	from, to := v.Get("from"), v.Get("to")
	if to == "" {
		to = today
	}
	toT, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, &pageError{http.StatusBadRequest, l.T("err.date", to)}
	}
	if from == "" {
		from = toT.AddDate(0, 0, 1-dashDays).Format(time.DateOnly)
	}
	fromT, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, &pageError{http.StatusBadRequest, l.T("err.date", from)}
	}
	if toT.Before(fromT) {
		return nil, &pageError{http.StatusBadRequest, l.T("err.order", l.Date(dispenser.Date(to)), l.Date(dispenser.Date(from)))}
	}
	days := int(toT.Sub(fromT).Hours()/24) + 1
	if days > MaxPeriod {
		return nil, &pageError{http.StatusBadRequest, l.T("err.long", days, MaxPeriod)}
	}
	d.From, d.To = dispenser.Date(from), dispenser.Date(to)
	d.query.Set("from", from)
	d.query.Set("to", to)

	switch d.ByParam = v.Get("by"); d.ByParam {
	case "":
		d.By = ByDay
		if days > longPeriod {
			d.By = ByMonth
		}
	case string(ByDay), string(ByMonth):
		d.By = Dimension(d.ByParam)
		d.query.Set("by", d.ByParam)
	default:
		return nil, &pageError{http.StatusBadRequest, l.T("err.by", d.ByParam)}
	}

	if t := v.Get("target"); t != "" {
		target, err := time.ParseDuration(t)
		if err != nil || target <= 0 || target%time.Second != 0 {
			return nil, &pageError{http.StatusBadRequest, l.T("err.target", t)}
		}
		d.Target = target
		d.query.Set("target", t)
	}

	infos, err := s.Store.Offices(r.Context())
	if err != nil {
		s.Log.Error("dashboard: offices", "err", err)
		return nil, &pageError{http.StatusInternalServerError, l.T("err.store")}
	}
	known := map[string]bool{}
	for _, in := range infos {
		known[in.ID] = true
		if key.Office == "" || key.Office == in.ID {
			d.Offices = append(d.Offices, officeChoice{ID: in.ID})
		}
	}
	for _, o := range v["office"] {
		if o == "" || slices.Contains(d.Chosen, o) {
			continue
		}
		if !known[o] {
			return nil, &pageError{http.StatusNotFound, l.T("err.office", o)}
		}
		if key.Office != "" && key.Office != o {
			s.Log.Info("dashboard refused: key of another office", "key", key.Name, "office", o)
			return nil, &pageError{http.StatusForbidden, l.T("err.forbidden", key.Name, key.Office)}
		}
		d.Chosen = append(d.Chosen, o)
	}
	if len(d.Chosen) == 0 && key.Office != "" {
		d.Chosen = []string{key.Office}
	}
	for i := range d.Offices {
		d.Offices[i].Selected = slices.Contains(d.Chosen, d.Offices[i].ID)
	}
	for _, o := range d.Chosen {
		d.query.Add("office", o)
	}
	return d, nil
}

// names are the offices' services and desks by id, in the page's
// language, from the offices' configs; an office whose config central
// has not got yet names nothing.
type names struct {
	services map[string]string
	desks    map[string]string
}

func (s *Server) namesOf(r *http.Request, d *dashboard) names {
	n := names{services: map[string]string{}, desks: map[string]string{}}
	for i, o := range d.Offices {
		if len(d.Chosen) > 0 && !o.Selected {
			continue
		}
		cfg, err := s.officeConfig(r, o.ID)
		if err != nil {
			continue
		}
		d.Offices[i].Name = cfg.Name
		for _, sv := range cfg.Services {
			if _, ok := n.services[string(sv.ID)]; !ok {
				n.services[string(sv.ID)] = sv.Name(dispenser.Lang(d.L))
			}
		}
		for _, dk := range cfg.Desks {
			if _, ok := n.desks[string(dk.ID)]; !ok {
				n.desks[string(dk.ID)] = dk.Name
			}
		}
	}
	return n
}

// label is how a table names the group key of dimension by.
func (d *dashboard) label(n names, by Dimension, key string) string {
	l := d.L
	switch by {
	case ByService:
		if name := n.services[key]; name != "" && name != key {
			return name + " (" + key + ")"
		}
	case ByDesk:
		if key == "" {
			return l.T("desk.none")
		}
		if name := n.desks[key]; name != "" {
			return name
		}
	case ByClerk:
		if key == "" {
			return l.T("clerk.none")
		}
	case ByOffice:
		for _, o := range d.Offices {
			if o.ID == key && o.Name != "" {
				return o.Name + " (" + key + ")"
			}
		}
	case ByHour:
		if h, err := strconv.Atoi(key); err == nil {
			return l.T("hour", h)
		}
	case ByWeekday:
		if wd, err := strconv.Atoi(key); err == nil {
			return l.Weekday(wd)
		}
	case ByDay:
		t, err := time.Parse(time.DateOnly, key)
		if err == nil {
			return l.Weekday(int(t.Weekday())) + " " + l.Date(dispenser.Date(key))
		}
	case ByMonth:
		return l.Month(key)
	}
	return key
}

// fill runs the period's queries: the total, and a table per dimension
// of tables, and draws the charts.
func (s *Server) fill(r *http.Request, d *dashboard, tables []Dimension) *pageError {
	n := s.namesOf(r, d)
	rows := map[Dimension][]Indicators{}
	for _, by := range append([]Dimension{Total, ByHour, ByDay, ByService}, tables...) {
		if _, done := rows[by]; done {
			continue
		}
		q := IndicatorQuery{Offices: d.Chosen, From: d.From, To: d.To, By: by, DefaultTarget: d.Target}
		res, err := s.Store.Indicators(r.Context(), q)
		switch {
		case errors.Is(err, ErrNotFound):
			return &pageError{http.StatusNotFound, d.L.T("err.query", err.Error())}
		case errors.Is(err, ErrBadQuery):
			return &pageError{http.StatusBadRequest, d.L.T("err.query", strings.TrimPrefix(err.Error(), ErrBadQuery.Error()+": "))}
		case err != nil:
			s.Log.Error("dashboard: indicators", "by", byName(by), "err", err)
			return &pageError{http.StatusInternalServerError, d.L.T("err.store")}
		}
		rows[by] = res
	}
	if len(rows[Total]) > 0 {
		d.Total = rows[Total][0]
	}
	l := d.L
	mins := func(t time.Duration) float64 { return t.Minutes() }
	waits := func(by Dimension, id, heading string, draw func(chart) template.HTML) dashChart {
		c := chart{ID: id, Title: heading, Unit: l.T("chart.unit"), Empty: l.T("chart.empty"), Number: l.Dec,
			Series: []series{{Name: l.T("chart.mean")}, {Name: l.T("chart.p90")}}}
		for _, i := range rows[by] {
			label := d.label(n, by, i.Key)
			switch by {
			case ByDay:
				if t, err := time.Parse(time.DateOnly, i.Key); err == nil {
					label = t.Format("02/01")
				}
			case ByService:
				if name := n.services[i.Key]; name != "" {
					label = name
				}
			}
			c.Labels = append(c.Labels, label)
			c.Series[0].Values = append(c.Series[0].Values, mins(i.WaitMean))
			c.Series[1].Values = append(c.Series[1].Values, mins(i.WaitP90))
		}
		return dashChart{Heading: heading, SVG: draw(c)}
	}
	d.Charts = []dashChart{
		waits(ByHour, "chart-hour", l.T("chart.hour"), barChart),
		waits(ByDay, "chart-day", l.T("chart.day"), lineChart),
		waits(ByService, "chart-service", l.T("chart.service"), barChart),
	}
	for _, by := range tables {
		t := dashTable{L: l, Within: l.T("col.within", l.Dur(d.Target)), ID: "table-" + string(by), Heading: l.T("table." + string(by)), Column: l.T("col." + string(by)),
			Utilisation: by != ByService && by != ByClerk && by != ByHour}
		res := rows[by]
		if by == ByWeekday { // Monday first
			res = slices.Clone(res)
			slices.SortStableFunc(res, func(a, b Indicators) int { return mondayFirst(a.Key) - mondayFirst(b.Key) })
		}
		for _, i := range res {
			t.Rows = append(t.Rows, dashRow{Label: d.label(n, by, i.Key), I: i})
		}
		v := url.Values{}
		for k, vs := range d.query {
			if k != "by" {
				v[k] = vs
			}
		}
		v.Set("by", string(by))
		v.Set("format", "csv")
		t.CSV = "/api/indicators?" + v.Encode()
		d.Tables = append(d.Tables, t)
	}
	return nil
}

func mondayFirst(key string) int {
	n, _ := strconv.Atoi(key)
	return (n + 6) % 7
}

// today fills the live state of the chosen offices.
func (s *Server) today(r *http.Request, d *dashboard) error {
	rows, err := s.offices(r)
	if err != nil {
		return err
	}
	for _, row := range rows {
		visible := slices.ContainsFunc(d.Offices, func(o officeChoice) bool { return o.ID == row.ID })
		if visible && (len(d.Chosen) == 0 || slices.Contains(d.Chosen, row.ID)) {
			d.Today = append(d.Today, row)
		}
	}
	return nil
}

// dashboardPage answers GET /dashboard.
func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.dashboardOf(w, r)
	if !ok {
		return
	}
	tables := []Dimension{ByService, ByDesk, ByClerk, ByWeekday, ByHour, d.By}
	if len(d.Chosen) != 1 && len(d.Offices) > 1 {
		tables = append([]Dimension{ByOffice}, tables...)
	}
	if perr := s.fill(r, d, tables); perr != nil {
		s.errorPage(w, d.L, perr)
		return
	}
	if s.todayOrFail(w, r, d) {
		s.render(w, http.StatusOK, "dashboard", d)
	}
}

// todayOrFail fills d's today, or answers 500 and returns false.
func (s *Server) todayOrFail(w http.ResponseWriter, r *http.Request, d *dashboard) bool {
	if err := s.today(r, d); err != nil {
		s.Log.Error("dashboard: offices", "err", err)
		s.errorPage(w, d.L, &pageError{http.StatusInternalServerError, d.L.T("err.store")})
		return false
	}
	return true
}

// dashboardToday answers GET /dashboard/today: the table of today's
// figures that the dashboard fetches every 30 s.
func (s *Server) dashboardToday(w http.ResponseWriter, r *http.Request) {
	d, ok := s.dashboardOf(w, r)
	if !ok {
		return
	}
	if s.todayOrFail(w, r, d) {
		s.render(w, http.StatusOK, "today", d)
	}
}

// render writes the page of template name, or a 500 when the template
// fails (a bug: the tests render every page).
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := pageTmpl.ExecuteTemplate(&b, name, data); err != nil {
		s.Log.Error("page", "template", name, "err", err)
		http.Error(w, "the page could not be made", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes()) // the client may be gone; nothing to do about it
}

// errorPage says what is wrong with the request, in its language.
func (s *Server) errorPage(w http.ResponseWriter, l lang, e *pageError) {
	s.render(w, e.Status, "error", struct {
		L lang
		*pageError
	}{l, e})
}

// dashTexts are the pages' texts by language; every language has every
// key (the tests check).
var dashTexts = map[string]map[string]string{
	"ca": {
		"lang.name":            "Català",
		"title.dashboard":      "Quadre de comandament",
		"title.report":         "Informe del període",
		"nav.dashboard":        "Quadre de comandament",
		"nav.report":           "Informe per imprimir",
		"nav.print":            "Imprimeix",
		"nav.skip":             "Vés al contingut",
		"form.from":            "Des de",
		"form.to":              "Fins a",
		"form.office":          "Oficines",
		"form.all":             "Totes les oficines",
		"form.by":              "Taula per",
		"form.by.auto":         "automàtic",
		"form.by.day":          "dia",
		"form.by.month":        "mes",
		"form.show":            "Mostra",
		"form.lang":            "Idioma",
		"today.title":          "Avui",
		"today.office":         "Oficina",
		"today.link":           "Connexió",
		"today.online":         "en línia",
		"today.offline":        "fora de línia",
		"today.waiting":        "Esperant ara",
		"today.longest":        "Espera més llarga",
		"today.desks":          "Taules obertes",
		"today.none":           "Cap oficina no s'ha connectat encara.",
		"today.updated":        "Actualitzat a les %s. S'actualitza cada 30 s.",
		"period.range":         "del %s al %s",
		"period.offices":       "Oficines",
		"period.period":        "Període",
		"period.generated":     "Generat el %s",
		"sum.title":            "Resum del període",
		"sum.issued":           "Torns donats",
		"sum.served":           "Atesos",
		"sum.wait_mean":        "Espera mitjana",
		"sum.wait_median":      "Espera mediana",
		"sum.wait_p90":         "Espera del percentil 90",
		"sum.within":           "Cridats en %s o menys",
		"sum.noshows":          "No presentats",
		"sum.cancelled":        "Cancel·lats",
		"sum.day_ended":        "Sense atendre al final del dia",
		"sum.transfers":        "Transferències",
		"sum.appointments":     "Cites: a l'hora / tard / no vingudes",
		"sum.turned_away":      "Rebutjats per l'hora de tancament",
		"sum.utilisation":      "Ocupació de les taules",
		"sum.service_mean":     "Temps d'atenció mitjà",
		"sum.estimate":         "Error de l'estimació d'espera",
		"sum.bias":             "(de mitjana, %s més del que es deia)",
		"sum.bias.early":       "(de mitjana, %s menys del que es deia)",
		"chart.hour":           "Espera per hora d'arribada",
		"chart.day":            "Espera per dia",
		"chart.service":        "Espera per servei",
		"chart.mean":           "mitjana",
		"chart.p90":            "percentil 90",
		"chart.unit":           "min",
		"chart.empty":          "Sense dades en aquest període",
		"table.office":         "Per oficina",
		"table.service":        "Per servei",
		"table.desk":           "Per taula",
		"table.clerk":          "Per persona",
		"table.weekday":        "Per dia de la setmana",
		"table.hour":           "Per hora d'arribada",
		"table.day":            "Per dia",
		"table.month":          "Per mes",
		"table.csv":            "Baixa en CSV",
		"table.empty":          "Cap torn en aquest període.",
		"col.office":           "Oficina",
		"col.service":          "Servei",
		"col.desk":             "Taula",
		"col.clerk":            "Persona",
		"col.weekday":          "Dia",
		"col.hour":             "Hora",
		"col.day":              "Data",
		"col.month":            "Mes",
		"col.issued":           "Donats",
		"col.served":           "Atesos",
		"col.noshows":          "No presentats",
		"col.cancelled":        "Cancel·lats",
		"col.wait_mean":        "Espera mitjana",
		"col.wait_median":      "Mediana",
		"col.wait_p90":         "Percentil 90",
		"col.within":           "≤ %s",
		"col.service_mean":     "Atenció mitjana",
		"col.appointments":     "Cites a l'hora / tard / no vingudes",
		"col.turned_away":      "Rebutjats",
		"col.utilisation":      "Ocupació",
		"col.estimate":         "Error de l'estimació",
		"clerk.none":           "(sense persona)",
		"desk.none":            "(sense taula)",
		"hour":                 "%d h",
		"pct":                  "%s %%",
		"dur.s":                "%d s",
		"dur.m":                "%d min",
		"dur.ms":               "%d min %d s",
		"dur.hm":               "%d h %02d min",
		"none":                 "–",
		"err.title":            "No es pot mostrar",
		"err.date":             "La data %q no és vàlida: escriviu-la així, 2026-01-31.",
		"err.order":            "El període acaba (%s) abans de començar (%s).",
		"err.long":             "El període té %d dies: com a màxim en pot tenir %d.",
		"err.by":               "La taula no es pot fer per %q: trieu dia o mes.",
		"err.target":           "L'objectiu d'espera %q no és una durada: escriviu, per exemple, 15m.",
		"err.office":           "No hi ha cap oficina %q.",
		"err.forbidden":        "La clau %q és només de l'oficina %s.",
		"err.query":            "La consulta no és vàlida: %s",
		"err.store":            "No s'han pogut calcular els indicadors. Torneu-ho a provar d'aquí a una estona.",
		"err.back":             "Torna al quadre de comandament",
		"weekday.0":            "diumenge",
		"weekday.1":            "dilluns",
		"weekday.2":            "dimarts",
		"weekday.3":            "dimecres",
		"weekday.4":            "dijous",
		"weekday.5":            "divendres",
		"weekday.6":            "dissabte",
		"month.1":              "gener de %d",
		"month.2":              "febrer de %d",
		"month.3":              "març de %d",
		"month.4":              "abril de %d",
		"month.5":              "maig de %d",
		"month.6":              "juny de %d",
		"month.7":              "juliol de %d",
		"month.8":              "agost de %d",
		"month.9":              "setembre de %d",
		"month.10":             "octubre de %d",
		"month.11":             "novembre de %d",
		"month.12":             "desembre de %d",
		"report.charts":        "Gràfics",
		"report.tables":        "Taules",
		"report.note.target":   "Objectiu: cridar cada torn en %s o menys.",
		"dashboard.note.today": "Avui, en directe: el que mostren ara els dispositius de les oficines.",
	},
	"es": {
		"lang.name":            "Castellano",
		"title.dashboard":      "Cuadro de mando",
		"title.report":         "Informe del periodo",
		"nav.dashboard":        "Cuadro de mando",
		"nav.report":           "Informe para imprimir",
		"nav.print":            "Imprimir",
		"nav.skip":             "Ir al contenido",
		"form.from":            "Desde",
		"form.to":              "Hasta",
		"form.office":          "Oficinas",
		"form.all":             "Todas las oficinas",
		"form.by":              "Tabla por",
		"form.by.auto":         "automático",
		"form.by.day":          "día",
		"form.by.month":        "mes",
		"form.show":            "Mostrar",
		"form.lang":            "Idioma",
		"today.title":          "Hoy",
		"today.office":         "Oficina",
		"today.link":           "Conexión",
		"today.online":         "en línea",
		"today.offline":        "fuera de línea",
		"today.waiting":        "Esperando ahora",
		"today.longest":        "Espera más larga",
		"today.desks":          "Mesas abiertas",
		"today.none":           "Todavía no se ha conectado ninguna oficina.",
		"today.updated":        "Actualizado a las %s. Se actualiza cada 30 s.",
		"period.range":         "del %s al %s",
		"period.offices":       "Oficinas",
		"period.period":        "Periodo",
		"period.generated":     "Generado el %s",
		"sum.title":            "Resumen del periodo",
		"sum.issued":           "Turnos emitidos",
		"sum.served":           "Atendidos",
		"sum.wait_mean":        "Espera media",
		"sum.wait_median":      "Espera mediana",
		"sum.wait_p90":         "Espera del percentil 90",
		"sum.within":           "Llamados en %s o menos",
		"sum.noshows":          "No presentados",
		"sum.cancelled":        "Cancelados",
		"sum.day_ended":        "Sin atender al final del día",
		"sum.transfers":        "Transferencias",
		"sum.appointments":     "Citas: puntuales / tarde / no presentadas",
		"sum.turned_away":      "Rechazados por la hora de cierre",
		"sum.utilisation":      "Ocupación de las mesas",
		"sum.service_mean":     "Tiempo de atención medio",
		"sum.estimate":         "Error de la estimación de espera",
		"sum.bias":             "(de media, %s más de lo indicado)",
		"sum.bias.early":       "(de media, %s menos de lo indicado)",
		"chart.hour":           "Espera por hora de llegada",
		"chart.day":            "Espera por día",
		"chart.service":        "Espera por servicio",
		"chart.mean":           "media",
		"chart.p90":            "percentil 90",
		"chart.unit":           "min",
		"chart.empty":          "Sin datos en este periodo",
		"table.office":         "Por oficina",
		"table.service":        "Por servicio",
		"table.desk":           "Por mesa",
		"table.clerk":          "Por persona",
		"table.weekday":        "Por día de la semana",
		"table.hour":           "Por hora de llegada",
		"table.day":            "Por día",
		"table.month":          "Por mes",
		"table.csv":            "Descargar CSV",
		"table.empty":          "Ningún turno en este periodo.",
		"col.office":           "Oficina",
		"col.service":          "Servicio",
		"col.desk":             "Mesa",
		"col.clerk":            "Persona",
		"col.weekday":          "Día",
		"col.hour":             "Hora",
		"col.day":              "Fecha",
		"col.month":            "Mes",
		"col.issued":           "Emitidos",
		"col.served":           "Atendidos",
		"col.noshows":          "No presentados",
		"col.cancelled":        "Cancelados",
		"col.wait_mean":        "Espera media",
		"col.wait_median":      "Mediana",
		"col.wait_p90":         "Percentil 90",
		"col.within":           "≤ %s",
		"col.service_mean":     "Atención media",
		"col.appointments":     "Citas puntuales / tarde / no presentadas",
		"col.turned_away":      "Rechazados",
		"col.utilisation":      "Ocupación",
		"col.estimate":         "Error de la estimación",
		"clerk.none":           "(sin persona)",
		"desk.none":            "(sin mesa)",
		"hour":                 "%d h",
		"pct":                  "%s %%",
		"dur.s":                "%d s",
		"dur.m":                "%d min",
		"dur.ms":               "%d min %d s",
		"dur.hm":               "%d h %02d min",
		"none":                 "–",
		"err.title":            "No se puede mostrar",
		"err.date":             "La fecha %q no es válida: escríbala así, 2026-01-31.",
		"err.order":            "El periodo termina (%s) antes de empezar (%s).",
		"err.long":             "El periodo tiene %d días: como máximo puede tener %d.",
		"err.by":               "La tabla no se puede hacer por %q: elija día o mes.",
		"err.target":           "El objetivo de espera %q no es una duración: escriba, por ejemplo, 15m.",
		"err.office":           "No hay ninguna oficina %q.",
		"err.forbidden":        "La clave %q es solo de la oficina %s.",
		"err.query":            "La consulta no es válida: %s",
		"err.store":            "No se han podido calcular los indicadores. Vuelva a intentarlo dentro de un rato.",
		"err.back":             "Volver al cuadro de mando",
		"weekday.0":            "domingo",
		"weekday.1":            "lunes",
		"weekday.2":            "martes",
		"weekday.3":            "miércoles",
		"weekday.4":            "jueves",
		"weekday.5":            "viernes",
		"weekday.6":            "sábado",
		"month.1":              "enero de %d",
		"month.2":              "febrero de %d",
		"month.3":              "marzo de %d",
		"month.4":              "abril de %d",
		"month.5":              "mayo de %d",
		"month.6":              "junio de %d",
		"month.7":              "julio de %d",
		"month.8":              "agosto de %d",
		"month.9":              "septiembre de %d",
		"month.10":             "octubre de %d",
		"month.11":             "noviembre de %d",
		"month.12":             "diciembre de %d",
		"report.charts":        "Gráficos",
		"report.tables":        "Tablas",
		"report.note.target":   "Objetivo: llamar cada turno en %s o menos.",
		"dashboard.note.today": "Hoy, en directo: lo que muestran ahora los dispositivos de las oficinas.",
	},
	"en": {
		"lang.name":            "English",
		"title.dashboard":      "Dashboard",
		"title.report":         "Period report",
		"nav.dashboard":        "Dashboard",
		"nav.report":           "Printable report",
		"nav.print":            "Print",
		"nav.skip":             "Skip to content",
		"form.from":            "From",
		"form.to":              "To",
		"form.office":          "Offices",
		"form.all":             "All offices",
		"form.by":              "Table by",
		"form.by.auto":         "automatic",
		"form.by.day":          "day",
		"form.by.month":        "month",
		"form.show":            "Show",
		"form.lang":            "Language",
		"today.title":          "Today",
		"today.office":         "Office",
		"today.link":           "Link",
		"today.online":         "online",
		"today.offline":        "offline",
		"today.waiting":        "Waiting now",
		"today.longest":        "Longest wait",
		"today.desks":          "Open desks",
		"today.none":           "No office has connected yet.",
		"today.updated":        "Updated at %s. Refreshes every 30 s.",
		"period.range":         "%s to %s",
		"period.offices":       "Offices",
		"period.period":        "Period",
		"period.generated":     "Generated on %s",
		"sum.title":            "Period summary",
		"sum.issued":           "Tickets issued",
		"sum.served":           "Served",
		"sum.wait_mean":        "Mean wait",
		"sum.wait_median":      "Median wait",
		"sum.wait_p90":         "90th percentile wait",
		"sum.within":           "Called within %s",
		"sum.noshows":          "No-shows",
		"sum.cancelled":        "Cancelled",
		"sum.day_ended":        "Still waiting at the day's end",
		"sum.transfers":        "Transfers",
		"sum.appointments":     "Appointments: on time / late / missed",
		"sum.turned_away":      "Turned away by the cut-off",
		"sum.utilisation":      "Desk utilisation",
		"sum.service_mean":     "Mean service time",
		"sum.estimate":         "Wait estimate error",
		"sum.bias":             "(on average %s longer than told)",
		"sum.bias.early":       "(on average %s shorter than told)",
		"chart.hour":           "Wait by hour of arrival",
		"chart.day":            "Wait by day",
		"chart.service":        "Wait by service",
		"chart.mean":           "mean",
		"chart.p90":            "90th percentile",
		"chart.unit":           "min",
		"chart.empty":          "No data in this period",
		"table.office":         "By office",
		"table.service":        "By service",
		"table.desk":           "By desk",
		"table.clerk":          "By clerk",
		"table.weekday":        "By weekday",
		"table.hour":           "By hour of arrival",
		"table.day":            "By day",
		"table.month":          "By month",
		"table.csv":            "Download CSV",
		"table.empty":          "No tickets in this period.",
		"col.office":           "Office",
		"col.service":          "Service",
		"col.desk":             "Desk",
		"col.clerk":            "Clerk",
		"col.weekday":          "Day",
		"col.hour":             "Hour",
		"col.day":              "Date",
		"col.month":            "Month",
		"col.issued":           "Issued",
		"col.served":           "Served",
		"col.noshows":          "No-shows",
		"col.cancelled":        "Cancelled",
		"col.wait_mean":        "Mean wait",
		"col.wait_median":      "Median",
		"col.wait_p90":         "90th percentile",
		"col.within":           "≤ %s",
		"col.service_mean":     "Mean service",
		"col.appointments":     "Appointments on time / late / missed",
		"col.turned_away":      "Turned away",
		"col.utilisation":      "Utilisation",
		"col.estimate":         "Estimate error",
		"clerk.none":           "(no clerk)",
		"desk.none":            "(no desk)",
		"hour":                 "%d h",
		"pct":                  "%s%%",
		"dur.s":                "%d s",
		"dur.m":                "%d min",
		"dur.ms":               "%d min %d s",
		"dur.hm":               "%d h %02d min",
		"none":                 "–",
		"err.title":            "Cannot show this",
		"err.date":             "The date %q is not valid: write it as 2026-01-31.",
		"err.order":            "The period ends (%s) before it starts (%s).",
		"err.long":             "The period has %d days: it may have %d at most.",
		"err.by":               "The table cannot be by %q: choose day or month.",
		"err.target":           "The target wait %q is not a duration: write, for example, 15m.",
		"err.office":           "There is no office %q.",
		"err.forbidden":        "The key %q is for office %s only.",
		"err.query":            "The query is not valid: %s",
		"err.store":            "The indicators could not be computed. Try again in a while.",
		"err.back":             "Back to the dashboard",
		"weekday.0":            "Sunday",
		"weekday.1":            "Monday",
		"weekday.2":            "Tuesday",
		"weekday.3":            "Wednesday",
		"weekday.4":            "Thursday",
		"weekday.5":            "Friday",
		"weekday.6":            "Saturday",
		"month.1":              "January %d",
		"month.2":              "February %d",
		"month.3":              "March %d",
		"month.4":              "April %d",
		"month.5":              "May %d",
		"month.6":              "June %d",
		"month.7":              "July %d",
		"month.8":              "August %d",
		"month.9":              "September %d",
		"month.10":             "October %d",
		"month.11":             "November %d",
		"month.12":             "December %d",
		"report.charts":        "Charts",
		"report.tables":        "Tables",
		"report.note.target":   "Target: every ticket called within %s.",
		"dashboard.note.today": "Today, live: what the offices' devices show now.",
	},
}
