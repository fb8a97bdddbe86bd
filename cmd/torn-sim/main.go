// Command torn-sim simulates office days through the real dispenser and
// scores wait estimators on them (issue 8).
//
//	torn-sim score [-days N] [-seed S] [-oracle N] FILE.toml...   estimators' errors, a markdown table
//	torn-sim run [-seed S] FILE.toml                  one day's summary
//
// Exit status: 0 on success, 1 when a scenario fails to load or run, 2 on
// bad usage.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
