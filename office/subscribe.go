package office

import "torn.cat/torn/dispenser"

// A Subscription receives the office's committed events, in commit order,
// one batch per command.
type Subscription struct {
	o *Office
	c chan []dispenser.Event
}

// SubscriptionBuffer is how many batches a subscriber may fall behind before
// it is dropped.
const SubscriptionBuffer = 256

// Subscribe returns a subscription to the events committed from now on. A
// subscriber that falls SubscriptionBuffer batches behind is dropped: its
// channel is closed, and it should read the state again and resubscribe.
func (o *Office) Subscribe() *Subscription {
	s := &Subscription{o: o, c: make(chan []dispenser.Event, SubscriptionBuffer)}
	o.mu.Lock()
	o.subs[s] = struct{}{}
	o.mu.Unlock()
	return s
}

// Events is the channel the batches arrive on; it is closed when the
// subscriber is dropped or cancelled.
func (s *Subscription) Events() <-chan []dispenser.Event { return s.c }

// Cancel ends the subscription and closes its channel. It may be called
// more than once.
func (s *Subscription) Cancel() {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	if _, ok := s.o.subs[s]; ok {
		delete(s.o.subs, s)
		close(s.c)
	}
}

// publish runs under o.mu, so batches go out in commit order.
func (o *Office) publish(evs []dispenser.Event) {
	for s := range o.subs {
		select {
		case s.c <- evs:
		default:
			o.log.Warn("event subscriber fell behind; dropping it")
			delete(o.subs, s)
			close(s.c)
		}
	}
}
