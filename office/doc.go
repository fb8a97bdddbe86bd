// Package office runs one office's queue: it owns the dispenser, makes every
// change durable in the store before anything acts on it, and hands the
// committed events to whoever listens (the display, the printer, the sync).
//
// It is the single writer of DESIGN.md's data flow: every input, whether a
// button, a page or a command from central, becomes a dispenser.Command
// passed to [Office.Do], which runs one at a time under one lock. Outputs
// never call back into the office except with a new command.
//
// It never decides queue rules (package dispenser does) and never knows how
// the store keeps its data (package store does).
package office
