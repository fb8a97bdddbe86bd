package dispenser_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestCutOff: a walk-in is refused when the estimate says it would not be
// called before the current opening range ends; the refusal says the
// closing time. El Masnou hours, 5-minute service time.
func TestCutOff(t *testing.T) {
	thu := func(hh, mm int) time.Time { return at(thursday, hh, mm) }
	for _, tc := range []struct {
		name    string
		rules   dispenser.Rules
		desks   int       // open desks serving A: 1 or 2
		ahead   int       // walk-ins waiting, issued at queueAt
		queueAt time.Time // default 13:30
		learn   bool      // two A tickets served in 2 minutes each before queueAt
		kind    dispenser.Kind
		now     time.Time
		until   time.Time // zero: issued
	}{
		{name: "Thursday morning: called before 14:00: issued", desks: 1, ahead: 2, now: thu(13, 49)},
		{name: "Thursday morning: called after 14:00: cut off until 14:00", desks: 1, ahead: 3, now: thu(13, 50), until: thu(14, 0)},
		{name: "Thursday morning: cut off though the afternoon session follows", desks: 1, ahead: 1, now: thu(13, 56), until: thu(14, 0)},
		{name: "Thursday morning: nobody ahead at 13:59: issued", desks: 1, now: thu(13, 59)},
		{name: "two open desks halve the wait: issued", desks: 2, ahead: 4, now: thu(13, 49)},
		{name: "two open desks: cut off", desks: 2, ahead: 5, now: thu(13, 50), until: thu(14, 0)},
		{name: "Thursday afternoon session: called before 19:00: issued", desks: 1, ahead: 3, queueAt: thu(18, 30), now: thu(18, 44)},
		{name: "Thursday afternoon session: cut off until 19:00", desks: 1, ahead: 4, queueAt: thu(18, 30), now: thu(18, 45), until: thu(19, 0)},
		{name: "NoCutOff issues until closing", rules: dispenser.Rules{NoCutOff: true}, desks: 1, ahead: 10, now: thu(13, 59)},
		{name: "priority ticket goes before the walk-ins: issued", desks: 1, ahead: 5, kind: dispenser.Priority, now: thu(13, 55)},
		{name: "learned service time lifts the cut-off", desks: 1, ahead: 4, learn: true, queueAt: thu(13, 40), now: thu(13, 51)},
		{name: "configured service time before any is learned", desks: 1, ahead: 4, queueAt: thu(13, 40), now: thu(13, 51), until: thu(14, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().hours(elMasnou()).rules(tc.rules).
				desks(desk(desk1, svcA), desk(desk2, svcA, svcB)).build()
			f := newFixture(t, cfg, thu(8, 30))
			f.do(dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"})
			if tc.desks == 2 {
				f.do(dispenser.SetDesk{Desk: desk2, State: dispenser.DeskOpen, Clerk: "pere"})
			}
			if tc.learn {
				for range 2 {
					f.issue(svcA)
					f.call(desk1)
					f.advance(2 * time.Minute).do(dispenser.Finish{Desk: desk1})
				}
			}
			queueAt := tc.queueAt
			if queueAt.IsZero() {
				queueAt = thu(13, 30)
			}
			f.at(queueAt)
			for range tc.ahead {
				f.issue(svcA)
			}
			f.at(tc.now)
			c := f.newIssue(svcA)
			c.Kind = tc.kind
			admits := f.d.Admits(svcA, c.Kind, f.now)
			before := f.state()
			evs, err := f.try(c)
			if (admits == nil) != (err == nil) {
				t.Errorf("Admits = %v but Issue = %v", admits, err)
			}
			if !wantIssuedOrRefused(t, evs, err, dispenser.RefusedCutOff, svcA, tc.until) {
				return
			}
			if want := tc.until.In(madrid).Format("15:04"); !strings.Contains(err.Error(), want) {
				t.Errorf("refusal says %q, want it to name the closing time %s", err, want)
			}
			f.unchanged(before)
		})
	}
}

// TestRefusalReasons: each reason a walk-in or priority ticket is refused,
// in words.
func TestRefusalReasons(t *testing.T) {
	cfg := newConfig().hours(elMasnou()).
		service(svcA, func(s *dispenser.Service) { s.AppointmentOnly = true }).
		service(svcB, func(s *dispenser.Service) { s.Priority = false }).
		build()
	cfg.Services = append(cfg.Services, service("tancat", "T", dispenser.Hours{}))
	cfg.Desks = append(cfg.Desks, desk(desk2, "tancat"))
	for _, tc := range []struct {
		name   string
		svc    dispenser.ServiceID
		kind   dispenser.Kind
		now    time.Time
		reason dispenser.RefusalReason
		until  time.Time
		words  string
	}{
		{name: "appointment only refuses walk-ins", svc: svcA, now: at(thursday, 10, 0),
			reason: dispenser.RefusedAppointmentOnly, words: "service oac takes appointments only"},
		{name: "appointment only refuses priority tickets", svc: svcA, kind: dispenser.Priority, now: at(thursday, 10, 0),
			reason: dispenser.RefusedAppointmentOnly, words: "appointments only"},
		{name: "no priority tickets", svc: svcB, kind: dispenser.Priority, now: at(thursday, 10, 0),
			reason: dispenser.RefusedNoPriority, words: "service padro issues no priority tickets"},
		{name: "closed, with the next opening", svc: svcB, now: at(thursday, 15, 0),
			reason: dispenser.RefusedClosed, until: at(thursday, 16, 0), words: "service padro is closed until Thu 2026-03-26 16:00"},
		{name: "closed, never opens", svc: "tancat", now: at(thursday, 10, 0),
			reason: dispenser.RefusedClosed, words: "service tancat is closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, tc.now)
			before := f.state()
			c := f.newIssue(tc.svc)
			c.Kind = tc.kind
			evs, err := f.try(c)
			var r *dispenser.Refusal
			if !errors.As(err, &r) {
				t.Fatalf("Issue: %v, want a refusal", err)
			}
			if r.Reason != tc.reason || r.Service != tc.svc || !r.Until.Equal(tc.until) {
				t.Errorf("refusal %+v, want %s until %v", r, tc.reason, tc.until)
			}
			if !strings.Contains(err.Error(), tc.words) {
				t.Errorf("refusal says %q, want %q", err, tc.words)
			}
			if len(evs) != 0 {
				t.Errorf("events %v, want none", types(evs))
			}
			f.unchanged(before)
			if err := f.d.Admits(tc.svc, tc.kind, f.now); !errors.As(err, &r) || r.Reason != tc.reason {
				t.Errorf("Admits = %v, want the same refusal", err)
			}
		})
	}
	t.Run("Admits: unknown service", func(t *testing.T) {
		f := newFixture(t, cfg, at(thursday, 10, 0))
		if err := f.d.Admits("nope", dispenser.WalkIn, f.now); !errors.Is(err, dispenser.ErrUnknownService) {
			t.Errorf("Admits = %v, want ErrUnknownService", err)
		}
	})
}

// TestAppointmentsSkipHoursAndCutOff: the hours and the cut-off are walk-in
// rules; a checked-in appointment always gets its ticket, also in an
// appointment-only service.
func TestAppointmentsSkipHoursAndCutOff(t *testing.T) {
	cfg := newConfig().hours(elMasnou()).
		service(svcA, func(s *dispenser.Service) { s.AppointmentOnly = true }).build()
	for _, tc := range []struct {
		name string
		now  time.Time
		slot time.Time
	}{
		{name: "checked in between sessions", now: at(thursday, 15, 50), slot: at(thursday, 16, 10)},
		{name: "checked in before opening", now: at(thursday, 8, 20), slot: at(thursday, 8, 30)},
		{name: "checked in just before closing", now: at(thursday, 13, 58), slot: at(thursday, 13, 50)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, tc.now)
			tk := f.issueKind(svcA, dispenser.Appointment, tc.slot)
			if tk.Kind != dispenser.Appointment || !tk.Slot.Equal(tc.slot) || tk.State != dispenser.Waiting || tk.Number != "A001" {
				t.Errorf("ticket %+v", tk)
			}
		})
	}
}
