// Package dispenser holds the rules of an office's queue: services and their
// opening hours, desks and their profiles, tickets and their life cycle, the
// numbering per business day, who is called next, the cut-off of walk-ins
// before closing, the day rollover and the wait estimates.
//
// It is pure. A [Dispenser] takes a [Command] and the time, decides which
// [Event]s follow, applies them to its state in memory and returns them; the
// caller makes them durable before anything acts on them. The package does no
// I/O, starts no goroutines, never reads the clock and draws no random numbers:
// ticket ids and tracking tokens come in with the command. A Dispenser is not
// safe for concurrent use; one goroutine or one lock owns it.
//
// The rules in short (DESIGN.md, "The queue model"):
//
//   - A desk calls, among the waiting tickets of the services in its profile:
//     checked-in appointments whose slot is due (from Rules.DueBefore before
//     the slot) by slot time; then priority tickets by queue time; then
//     walk-ins by queue time, where a ticket of the n-th service of the
//     profile counts as queued n×Rules.ProfileStep later, at most
//     Rules.MaxOvertake later. So no walk-in is ever passed at a desk by a
//     walk-in that joined the queue more than MaxOvertake after it. Last,
//     appointments not due yet, so that an idle desk takes an early citizen.
//   - Display numbers are the service's prefix and a counter that starts at 1
//     each business day in the office's time zone and never repeats in a day.
//   - A walk-in ticket is refused when the service is closed, or when the
//     estimate says it would not be called before the current opening range
//     ends (the cut-off); the refusal says why and until when. A refusal
//     for the cut-off, and only it, is also recorded as a TicketRefused
//     event, which issues nothing, so that the citizens the queue's length
//     turned away can be counted.
//   - Recall past Rules.MaxCalls calls makes the ticket a no-show; a transfer
//     makes the ticket wait again in another service, at the head of its
//     queue unless Rules.TransferToTail.
//   - The first command of a new business day closes the old one: tickets
//     still open, whether waiting, called or being served, are cancelled
//     with ReasonDayEnded (a clerk who forgot "done" leaves no made-up
//     service time), desks close, and counters start again.
//   - Check-in: a CheckIn matches a document's keyed hash (never a number)
//     against today's book of appointments (LoadBook). Inside its window,
//     from CheckInRules.Early before the slot to Grace after it, it gets an
//     appointment ticket; past the grace a walk-in ticket or "ask at the
//     desk", per service; too early, another day or no appointment at all,
//     a Refusal that says until when or what the citizen can have instead.
//   - A transferred ticket queues in its new service by Queued: at the head
//     of the walk-ins (or of the priority tickets, for one), behind
//     appointments that are due; an appointment ticket's slot no longer
//     counts once it has been served.
package dispenser
