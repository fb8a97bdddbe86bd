package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
)

// Simulation stands in for the citizens at the dispenser and the clerks at
// the desks, for the demo: it issues walk-in tickets at random and has every
// desk call, serve and finish them. It goes through office.Do like any other
// input.
type Simulation struct {
	// Arrival is the mean time between two citizens. Default 20 s.
	Arrival time.Duration
	// Service is the mean time a clerk spends on a ticket. Default 45 s.
	Service time.Duration
	// Step is how often the clerks look at the queue. Default 1 s.
	Step time.Duration
	Log  *slog.Logger
}

// Run simulates until ctx ends.
func (s Simulation) Run(ctx context.Context, o *office.Office) {
	if s.Arrival == 0 {
		s.Arrival = 20 * time.Second
	}
	if s.Service == 0 {
		s.Service = 45 * time.Second
	}
	if s.Step == 0 {
		s.Step = time.Second
	}
	var services []dispenser.ServiceID
	var desks []dispenser.DeskID
	for _, sv := range o.Config().Services {
		if !sv.AppointmentOnly {
			services = append(services, sv.ID)
		}
	}
	for _, dk := range o.Config().Desks {
		desks = append(desks, dk.ID)
		o.Do(dispenser.SetDesk{Desk: dk.ID, State: dispenser.DeskOpen, Clerk: "demo"})
	}
	busyUntil := map[dispenser.DeskID]time.Time{}
	nextArrival := time.Now()
	tick := time.NewTicker(s.Step)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for len(services) > 0 && !now.Before(nextArrival) {
				sv := services[rand.IntN(len(services))]
				if _, err := o.Do(dispenser.Issue{Service: sv}); err != nil && s.Log != nil {
					s.Log.Debug("simulated citizen", "service", sv, "err", err)
				}
				nextArrival = nextArrival.Add(time.Duration(rand.ExpFloat64() * float64(s.Arrival)))
			}
			for _, dk := range desks {
				if now.Before(busyUntil[dk]) {
					continue
				}
				if _, err := o.Do(dispenser.CallNext{Desk: dk, Clerk: "demo"}); err == nil {
					busyUntil[dk] = now.Add(time.Duration(rand.ExpFloat64() * float64(s.Service)))
				} else {
					o.Do(dispenser.Finish{Desk: dk}) // the last one of the queue
				}
			}
		}
	}
}
