package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/idcard/idcardtest"
)

// TestReaderTestSerial: `tornd reader test` opens the configured serial
// reader (a pseudo-terminal at 9600 baud) and prints what it reads,
// parsed: here a passport's MRZ with CRLF line ends.
func TestReaderTestSerial(t *testing.T) {
	path, dev := idcardtest.NewSerial(t)
	conf := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[reader]\ntype = \"serial\"\ndevice = %q\nbaud = 9600\n[checkin]\nkey_file = \"/nonexistent\"\n", path))
	// The key file is missing: reader test reads without it.
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- readerCmd(context.Background(), []string{"test", "-config", conf, "-n", "1", "-for", "10s"}, strings.NewReader(""), &stdout, &stderr)
	}()
	// Once the reader is open (it says so), the document.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "put a document on the reader") {
		if time.Now().After(deadline) {
			t.Fatalf("reader test did not start: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if baud, err := dev.Baud(); err != nil || baud != 9600 {
		t.Errorf("line speed %d (%v), want 9600", baud, err)
	}
	fmt.Fprint(dev, strings.Join(passportMRZ, "\r\n")+"\r\n")
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reader test did not end after one document")
	}
	rs := decodeResults(t, stdout.String())
	if len(rs) != 1 || !rs[0].Accepted || rs[0].Identifier != "L898902C3" || rs[0].Document.Surnames != "ERIKSSON" {
		t.Errorf("read %+v", rs)
	}
}
