//go:build !unix

package pgtest

import (
	"fmt"
	"os/exec"
)

type account struct{}

func (*account) apply(*exec.Cmd) {}

func start() (*server, error) {
	return nil, fmt.Errorf("%w: pgtest runs PostgreSQL on unix systems only", errNoBinaries)
}

func (s *server) stop() error { return nil }
