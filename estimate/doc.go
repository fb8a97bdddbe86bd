// Package estimate scores wait estimators on simulated office days (issue 8).
//
// It owns the [Estimator] interface, the simple estimators of the queueing
// literature (Ibrahim & Whitt, "Real-time delay estimation based on delay
// history", MSOM 2009) and the scorer, [Score], which runs days of a
// [sim.Scenario] and sets every estimator's estimate of each ticket, made
// when the ticket is issued, against the wait that followed. It never changes what the dispenser prints and does no
// I/O.
//
// # No future
//
// An estimator sees two things only: the events of the day as they happen
// ([Estimator.Observe]) and, when asked, the dispenser's present state and
// the ticket just issued ([Estimator.Estimate]). The scorer asks at
// [sim.Observer.Issued], which the simulator calls before it draws anything
// of the ticket's future (the citizen's patience, the service times).
//
// # One day at a time
//
// An estimator instance serves one simulated day: the scorer builds a
// fresh set, with the constructor function it is given, at every
// dispenser.DayStarted event, so nothing is carried from one day to the
// next. (Learning across days is a matter for Torn's own estimator.)
//
// # Scoring
//
// Only served tickets are scored: a ticket whose citizen left, or that the
// day's end cancelled, has no actual wait to compare with; those are counted
// ([Tally.Left], [Tally.DayEnded]) and left out of the error metrics. Leaving
// early is itself a consequence of long waits, so a scenario with many
// leavers flatters every estimator a little; the count makes that visible.
package estimate
