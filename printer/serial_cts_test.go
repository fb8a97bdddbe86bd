package printer

import (
	"errors"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"
)

// ctsPort is a serial.Port whose CTS line a test sets. (A pseudo-terminal
// has no modem lines, so RTS/CTS is tested on this fake.)
type ctsPort struct {
	mu      sync.Mutex
	cts     bool
	written []byte
}

func (p *ctsPort) setCTS(v bool) { p.mu.Lock(); p.cts = v; p.mu.Unlock() }

func (p *ctsPort) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.cts {
		return 0, errors.New("wrote while the printer held CTS low")
	}
	p.written = append(p.written, b...)
	return len(b), nil
}

func (p *ctsPort) GetModemStatusBits() (*serial.ModemStatusBits, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &serial.ModemStatusBits{CTS: p.cts}, nil
}

func (p *ctsPort) n() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.written) }

func (p *ctsPort) SetMode(*serial.Mode) error         { return nil }
func (p *ctsPort) Read([]byte) (int, error)           { return 0, nil }
func (p *ctsPort) Drain() error                       { return nil }
func (p *ctsPort) ResetInputBuffer() error            { return nil }
func (p *ctsPort) ResetOutputBuffer() error           { return nil }
func (p *ctsPort) SetDTR(bool) error                  { return nil }
func (p *ctsPort) SetRTS(bool) error                  { return nil }
func (p *ctsPort) SetReadTimeout(time.Duration) error { return nil }
func (p *ctsPort) Close() error                       { return nil }
func (p *ctsPort) Break(time.Duration) error          { return nil }

// TestSerialRTSCTS: with "rtscts", nothing is written while the printer
// holds CTS low; the ticket goes out when it raises CTS; a printer that
// holds it low past the write timeout makes the write fail with
// ErrTimeout, as any stalled printer.
func TestSerialRTSCTS(t *testing.T) {
	port := &ctsPort{}
	s := &Serial{path: "fake", port: port, baud: 115200, timeout: 300 * time.Millisecond, line: newOpGate(), rtscts: true}
	ticket := make([]byte, 1000)
	go func() {
		time.Sleep(100 * time.Millisecond)
		if port.n() != 0 {
			t.Errorf("%d bytes written while CTS was low", port.n())
		}
		port.setCTS(true)
	}()
	if n, err := s.Write(ticket); err != nil || n != len(ticket) || port.n() != len(ticket) {
		t.Fatalf("write with CTS raised after 100 ms: %d, %v; port has %d", n, err, port.n())
	}
	port.setCTS(false)
	start := time.Now()
	_, err := s.Write(ticket)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("write with CTS held low: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("gave up after %v, before the write timeout", d)
	}
}
