// Package tomlconf reads the config files a technician edits, strictly:
// every problem of a file at once, each naming the file, the line and the
// key, so that one `tornd check` shows everything to fix.
//
// It owns decoding TOML into a program's file structs (unknown keys,
// wrong types and values a type refuses are problems, not a stop at the
// first) and the list of problems the program's own checks add after.
// It never knows what a key means: tornd and torn-central check their
// values and conflicts, and name the key here.
package tomlconf
