package uplink

import (
	"errors"
	"fmt"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/syncproto"
)

// errNotSupported answers a config when tornd takes none (no OnConfig).
var errNotSupported = errors.New("not supported")

// refusal marks an error as the answer central gets for its message.
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// applyBook loads the book through the office, once for its id.
func (s *conn) applyBook(m *syncproto.Book) error {
	_, err := s.c.Office.DoOnce(m.ID, dispenser.LoadBook{Book: m.Book})
	return err
}

// applyCommand runs the clerk's command through the office, once for its
// id.
func (s *conn) applyCommand(m *syncproto.Command) error {
	cmd, err := m.Command.Dispenser()
	if err != nil {
		return refusal{err}
	}
	_, err = s.c.Office.DoOnce(m.ID, cmd)
	return err
}

// applyConfig hands the configuration to tornd.
func (s *conn) applyConfig(m *syncproto.Config) error {
	if s.c.OnConfig == nil {
		return refusal{errNotSupported}
	}
	if err := s.c.OnConfig(*m); err != nil {
		return refusal{err}
	}
	return nil
}

// answer tells central what became of its message id: applied (now or
// before) or refused, with the reason. A failure of the device itself (its
// store) is not a refusal: it is not answered, and the connection is
// closed, so that central sends the message again after the reconnect
// and it is decided anew.
func (s *conn) answer(what, id string, err error) error {
	a := syncproto.Applied{Type: syncproto.TypeApplied, ID: id}
	switch {
	case err == nil:
		s.log.Info("applied a "+what+" from central", "id", id)
	case errors.Is(err, office.ErrAlreadyApplied):
		s.log.Info("a "+what+" from central was applied before", "id", id)
	case refused(err):
		s.log.Warn("refused a "+what+" from central", "id", id, "err", err)
		a.Error = err.Error()
	default:
		return s.refuse(syncproto.CloseNormal, fmt.Errorf("could not apply %s %s, to be sent again: %w", what, id, err))
	}
	if err := s.write(&a); err != nil {
		return fmt.Errorf("send applied %s: %w", id, err)
	}
	return nil
}

// refused reports whether err is a refusal of the message (the dispenser's
// rules, a malformed command, tornd's answer to a config) rather than a
// failure of the device.
func refused(err error) bool {
	var r refusal
	var why *dispenser.Refusal
	if errors.As(err, &r) || errors.As(err, &why) {
		return true
	}
	for _, e := range []error{
		dispenser.ErrInvalid, dispenser.ErrUnknownService, dispenser.ErrUnknownDesk, dispenser.ErrUnknownTicket,
		dispenser.ErrWrongState, dispenser.ErrNobodyWaiting, dispenser.ErrDuplicate,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
