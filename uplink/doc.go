// Package uplink is the device's side of the sync with torn-central
// (docs/protocol.md): it keeps one websocket to central open, sends the
// office's event log from the store's outbox in order, moves the store's
// sync cursor durably on central's acknowledgements, and applies what
// central sends (appointment books, clerks' commands) through the office's
// single writer, once per message id. It reconnects with exponential
// backoff and jitter for as long as tornd runs; the office works the same
// whether it is connected or not.
//
// DESIGN.md calls this package "sync"; it is named uplink so that it does
// not shadow the standard library's sync package.
//
// It owns the connection's life: the dial (TLS with the system's roots or
// the configured CA), the hello and welcome, the batches and the window of
// unacknowledged events, the keep-alive, the close codes and the backoff.
// It never decides a queue change (the office and the dispenser do), never
// writes the store except through Store.Ack and Office.DoOnce, never
// renumbers events, and never logs the device's token.
//
// Package uplink/uplinktest has a fake central for tests.
package uplink
