// Package sim simulates office days through the real [dispenser] on a
// virtual clock, so that wait estimates can be scored against the waits that
// follow (issue 8).
//
// It owns the scenario format, the citizens' and clerks' random behaviour and
// the discrete-event loop. It never reads the clock, does no I/O but
// [LoadScenario], and never changes the queue's rules: every ticket is
// issued, checked in, called, started, finished or cancelled by
// [dispenser.Dispenser.Handle], and desks open, pause and close by
// dispenser.SetDesk.
//
// # The day
//
// [Run] books the day's appointments (dispenser.LoadBook, with fake document
// hashes) and draws which bookings are no-shows and when the others arrive.
// Walk-ins of each service arrive by a non-homogeneous Poisson process
// (thinning) with the service's rate of the hour; a share of them take a
// priority ticket. An idle open desk calls the next citizen as soon as one
// waits; the citizen walks up (WalkUpSeconds), the ticket starts, and it
// is done after a service time drawn, at the call, from the service's
// lognormal. A walk-in citizen whose patience (exponential) runs out before
// the call leaves: the ticket is cancelled. Desks open, take their breaks and
// close early per the scenario, always after the citizen at the desk; desks
// with no closing time keep calling until DrainMinutes after the office
// closes. Then the next day's first command cancels whatever is left.
//
// Every random number comes from one PCG generator seeded by the seed: the
// same scenario, seed and day give the same result. The draws about a
// ticket's future, its patience and its service time, come only after the
// [Observer] has been told of its issue.
//
// # Forecasts
//
// An Observer that is also a [Forecaster] is handed, at each issue right
// after Issued, the day's [Present]: [Present.Waits] simulates futures of
// it, each a copy of the engine and of the dispenser (through
// dispenser.Snapshot) with its own generator, in which everything the day
// has already drawn of its future (arrivals, service times in progress,
// patience, bookings not come yet) is drawn again conditioned on the
// present. The oracle of package estimate is built on it. The day itself
// is untouched: its generator, its dispenser and its observer never see a
// future.
//
// # Scenario files
//
// A scenario is TOML, read strictly: an unknown key is an error naming it.
// Times of day are "HH:MM" in the office's time zone.
//
//	name = "El Masnou"              # required
//	timezone = "Europe/Madrid"      # default Europe/Madrid
//	hours = ["08:30-14:00"]         # opening ranges, required
//	days = ["mon", "tue", "wed", "thu", "fri"]  # open weekdays, default Mon–Fri
//	start = "2026-03-02"            # RunDays' first day, default 2026-03-02
//	walk_up_seconds = 30            # from the call to the desk, default 30
//	drain_minutes = 120             # desks call on after closing, default 120
//	no_cutoff = false               # dispenser.Rules.NoCutOff
//
//	[patience]                      # optional: walk-ins leave after
//	mean_minutes = 45               # an exponential patience
//
//	[[service]]
//	id = "info"
//	prefix = "I"                    # ticket letter(s)
//	name = "Informació"             # Catalan name, default the id
//	appointment_only = false
//	walkins_from = "08:30"          # default the first opening
//	walkins_per_hour = [8, 14, 16, 14, 12, 10]  # per hour from walkins_from
//	service_minutes = 6             # lognormal mean, required
//	service_cv = 0.9                # coefficient of variation
//	priority_share = 0.04           # share of walk-ins with priority
//
//	[service.appointments]          # optional: the day's book
//	per_hour = 6                    # slots through the opening hours, or
//	# slots = ["09:00", "09:30"]    # the slots themselves
//	punctuality_mean_minutes = -4   # arrival = slot + normal(mean, sd)
//	punctuality_sd_minutes = 6
//	no_show_share = 0.12
//
//	[[desk]]
//	id = "oac1"
//	profile = ["oac", "info"]       # services, most preferred first
//	open = "09:00"                  # default the first opening
//	close = "12:00"                 # optional: closes early
//	breaks = ["10:30-10:50"]        # pauses
//
// The scenarios in testdata/scenarios cover the offices of DESIGN.md.
package sim
