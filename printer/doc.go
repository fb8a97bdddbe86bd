// Package printer turns a ticket into the ESC/POS bytes a thermal printer
// prints, sends them over the printer's transport, reads its status, and
// renders any ESC/POS byte stream to an image with a virtual printer.
//
// It owns the ticket's layout (58 mm paper, 384 dots; 80 mm, 576 dots), the
// code pages that print Catalan right, the QR code (the printer's native
// GS ( k command, or a raster image for printers without it), the logo
// raster, the transports (serial, USB printer class device, TCP port 9100,
// file), the status queries (DLE EOT) and the virtual printer. It never
// knows what a ticket means beyond its layout: the words come from package
// catalog, the numbers from the caller.
//
// Package printer/printertest has a fake printer behind a pseudo-terminal
// or a TCP socket, for tests.
//
// References: Epson's ESC/POS Application Programming Guide and command
// reference (ESC t, GS ( k, GS v 0, DLE EOT, GS V); the code page tables of
// golang.org/x/text/encoding/charmap; ../shared/REFERENCES.md, "ESC/POS".
package printer
