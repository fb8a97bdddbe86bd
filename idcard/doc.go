// Package idcard reads identity documents: the machine-readable zone
// (MRZ) of ID cards and passports, and Spanish DNI and NIE numbers typed
// or read as one line.
//
// It owns the MRZ formats TD1 (3 × 30: the Spanish DNI 3.0 and 4.0, the
// foreigners' TIE, other countries' ID cards), TD2 (2 × 36) and TD3
// (2 × 44, passports); their check digits; the DNI and NIE check letter;
// the reader transports that deliver what a document reader sends
// (serial, keyboard-wedge input devices); and the keyed hashing of
// document numbers. Parse is the one entry point for text; Document's
// Identifier is the number a person is booked with: on a Spanish card the
// DNI or NIE in the optional data, never the card's support number.
//
// It never stores a document number or writes one to a log in clear, and
// none of its error messages holds one: what leaves the package to be kept
// is the keyed hash. A Document holds numbers in clear for the moment of
// the read; callers must not log it. It never corrects a character either:
// a read that fails a check is refused, and the person reads again.
//
// # Misread fillers
//
// OCR readers are known to misread the filler '<' as 'K'. Check digits
// cannot see it: '<' counts 0 and 'K' 20, the same modulo 10 (so do 'A'
// and 'U', 10 and 30). ParseMRZ therefore refuses, with ErrFormat, what
// the layout says cannot be there:
//
//   - a name (covered by no check digit) with a letter after the "<<"
//     that ends the given names (CARMEN<<K<<), starting with '<', or
//     holding a digit;
//   - a document number with a character after its fillers (AB12<<K<<);
//   - a date holding anything but digits and '<';
//   - a sex other than F, M, X or '<';
//   - a state code other than three letters or D<< (D<K);
//   - in optional data and the TD3 personal number, a 'K' alone among
//     fillers, with two fillers on one side (<<<K<<<).
//
// It cannot see a 'K' for the filler that separates parts of a name
// (ESPANOLA<ESPANOLA<<CARMEN<K<<< reads as an initial K; ESPANOLAK
// becomes a surname), one right after a number's last character
// (AB12K<<<<), one next to other optional data, the document code's second
// character (I< read as IK), nor 'A' or 'U' for '<' in optional data. Those
// reads are accepted as printed; a clerk comparing the name on the screen
// with the card is the last check.
//
// The package idcard/idcardtest has fake readers for tests.
//
// References: ICAO Doc 9303, Machine Readable Travel Documents, parts 3
// (check digits, state codes), 4 (TD3), 5 (TD1) and 6 (TD2),
// https://www.icao.int/publications/pages/publication.aspx?docnum=9303;
// the DNI and NIE letter: Real Decreto 1553/2005, de 23 de diciembre
// (BOE-A-2005-21163), and for the NIE Orden INT/2058/2008;
// ../shared/REFERENCES.md, "Identity documents".
package idcard
