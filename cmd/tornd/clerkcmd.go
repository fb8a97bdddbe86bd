package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// clerkCmd: `tornd clerk hash` reads a password on standard input and
// prints its bcrypt hash, for a [[clerk]] of the config.
func clerkCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "hash" {
		fmt.Fprintln(stderr, "usage: tornd clerk hash < password")
		return 2
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(stderr, "tornd clerk hash: %v\n", err)
		return 1
	}
	pw := strings.TrimRight(line, "\r\n")
	if len(pw) < 8 {
		fmt.Fprintln(stderr, "tornd clerk hash: a password of at least 8 characters, please")
		return 2
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintf(stderr, "tornd clerk hash: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(h))
	return 0
}
