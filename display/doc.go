// Package display announces the calls: it keeps what the waiting-room TV
// shows (the latest calls, the waiting counts) from the office's committed
// events and pushes it to every display page over a websocket.
//
// It never decides queue state: it reads the office and follows its events.
// It never shows personal data: numbers, services and desks only.
package display
