package dispenser

import "fmt"

// nextNumber returns the next counter and display number of service s
// today. Counters are kept by prefix, so a ticket transferred to another
// service still holds its number. Counters start at 1 each business day and only go up, so a number
// is never handed out twice in a day; past 999 the number grows a digit.
func (d *Dispenser) nextNumber(s *Service) (int, string) {
	n := d.counters[s.Prefix] + 1
	return n, fmt.Sprintf("%s%03d", s.Prefix, n)
}
