package central

import "net/http"

// reportPage answers GET /report: the period's indicators as the
// printable report a service manager hands in for the quality plan's
// review, with the dashboard's parameters. Printed (A4, landscape), each
// section starts a page and the navigation is left out.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.dashboardOf(w, r)
	if !ok {
		return
	}
	tables := []Dimension{ByService, ByDesk, ByClerk, ByWeekday, ByHour, ByMonth}
	if len(d.Chosen) != 1 && len(d.Offices) > 1 {
		tables = append([]Dimension{ByOffice}, tables...)
	}
	if perr := s.fill(r, d, tables); perr != nil {
		s.errorPage(w, d.L, perr)
		return
	}
	s.render(w, http.StatusOK, "report", d)
}
