package printer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// CodePage is a character table a printer model has, and the number that
// selects it with ESC t.
type CodePage struct {
	// Name is the table's name: "pc850", "pc858", "wpc1252".
	Name string
	// Number is ESC t's n for this table on Model.
	Number byte
	// Charmap encodes text for the table.
	Charmap *charmap.Charmap
	// Model is the printer model the number is for, as given to
	// CodePageFor: shown on the test page.
	Model string
}

// DefaultCodePage is the table CodePageFor picks when given none: CP858,
// CP850 with the euro sign.
const DefaultCodePage = "pc858"

// DefaultModel is the model CodePageFor assumes when given none.
const DefaultModel = "generic"

var charmaps = map[string]*charmap.Charmap{
	"pc850":   charmap.CodePage850,
	"pc858":   charmap.CodePage858,
	"wpc1252": charmap.Windows1252,
}

// modelPages holds each printer model's ESC t numbers (../shared/REFERENCES.md,
// "ESC/POS"). Clone firmwares differ: a model not listed here is configured
// as the nearest one, and the test page shows what it prints.
var modelPages = map[string]map[string]byte{
	"epson":   {"pc850": 2, "wpc1252": 16, "pc858": 19},
	"generic": {"pc850": 2, "wpc1252": 16, "pc858": 19},
	"pos5890": {"pc858": 53, "wpc1252": 71},
	"zj5870":  {"wpc1252": 16},
}

// CodePageFor returns the code page name of printer model: "epson",
// "generic" (as epson; the default when model is empty), "pos5890",
// "zj5870"; name is "pc850", "pc858" (the default when empty) or
// "wpc1252". The error names the unknown model, or the code page the model
// lacks and the ones it has.
func CodePageFor(model, name string) (CodePage, error) {
	if model == "" {
		model = DefaultModel
	}
	if name == "" {
		name = DefaultCodePage
	}
	pages, ok := modelPages[model]
	if !ok {
		return CodePage{}, fmt.Errorf("unknown printer model %q (known: %s)", model, strings.Join(sortedKeys(modelPages), ", "))
	}
	n, ok := pages[name]
	if !ok {
		if _, known := charmaps[name]; !known {
			return CodePage{}, fmt.Errorf("unknown code page %q (known: %s)", name, strings.Join(sortedKeys(charmaps), ", "))
		}
		return CodePage{}, fmt.Errorf("printer model %s has no code page %s (it has: %s)", model, name, strings.Join(sortedKeys(pages), ", "))
	}
	return CodePage{Name: name, Number: n, Charmap: charmaps[name], Model: model}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Encode returns s in the code page's bytes; see Append.
func (cp CodePage) Encode(s string) []byte { return cp.Append(nil, s) }

// Append appends s encoded in the code page to dst and returns the extended
// slice. Every rune becomes one or more printable bytes, never a command
// byte: a rune the table lacks becomes its closest plain form — ŀ and Ŀ
// (the Catalan middle-dot l) become l· and L·, € becomes EUR, typographic
// quotes, dashes and spaces their ASCII forms, another letter with
// diacritics its base letter (é → e when the table lacks é), a
// compatibility form its plain letters (ﬁ → fi) — and anything
// else, control characters included, a question mark. A tab becomes a
// space. The zero CodePage encodes ASCII only.
func (cp CodePage) Append(dst []byte, s string) []byte {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s) // e + U+0301 is é, which the tables have
	}
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			dst = append(dst, byte(r))
			continue
		}
		dst = cp.appendRune(dst, r)
	}
	return dst
}

func (cp CodePage) appendRune(dst []byte, r rune) []byte {
	if r == '\t' {
		return append(dst, ' ')
	}
	if unicode.IsControl(r) || r == utf8.RuneError {
		return append(dst, '?')
	}
	if cp.Charmap != nil {
		if b, ok := cp.Charmap.EncodeRune(r); ok && b >= 0x20 && b != 0x7F {
			return append(dst, b)
		}
	}
	switch r {
	case 'ŀ', 'Ŀ':
		l := byte('l')
		if r == 'Ŀ' {
			l = 'L'
		}
		dst = append(dst, l)
		if b, ok := cp.encodable('·'); ok {
			return append(dst, b)
		}
		return append(dst, '.')
	case '€':
		return append(dst, "EUR"...)
	}
	if f, ok := plainForms[r]; ok {
		for _, fr := range f {
			if fr < 0x80 {
				dst = append(dst, byte(fr))
			} else if b, ok := cp.encodable(fr); ok {
				dst = append(dst, b)
			} else {
				dst = append(dst, '?')
			}
		}
		return dst
	}
	if unicode.Is(unicode.Mn, r) {
		return dst // a mark NFC could not join to its letter
	}
	// The letters a compatibility decomposition gives, without their
	// marks: ő → o, ǹ → n, ﬁ → fi, Ａ → A.
	var buf [64]byte
	var enc [utf8.UTFMax]byte
	d := norm.NFKD.Append(buf[:0], enc[:utf8.EncodeRune(enc[:], r)]...)
	if string(d) == string(enc[:utf8.RuneLen(r)]) {
		return append(dst, '?')
	}
	n := len(dst)
	for _, dr := range string(d) {
		if unicode.Is(unicode.Mn, dr) {
			continue
		}
		b, ok := byte(dr), dr >= 0x20 && dr < 0x7F
		if !ok {
			b, ok = cp.encodable(dr)
		}
		if !ok {
			return append(dst[:n], '?')
		}
		dst = append(dst, b)
	}
	if len(dst) == n {
		return append(dst, '?')
	}
	return dst
}

// encodable reports the byte of r, a printable rune, in the table.
func (cp CodePage) encodable(r rune) (byte, bool) {
	if cp.Charmap == nil {
		return 0, false
	}
	b, ok := cp.Charmap.EncodeRune(r)
	return b, ok && b >= 0x20 && b != 0x7F
}

// plainForms are the replacements for runes a table may lack that NFD does
// not reduce to a base letter. A replacement rune the table lacks in turn
// prints as '?'.
var plainForms = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '‹': "<", '›': ">",
	'“': `"`, '”': `"`, '„': `"`, '‟': `"`, '″': `"`, '«': `"`, '»': `"`,
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'…': "...", '•': "*", '·': ".",
	'\u00A0': " ", '\u2002': " ", '\u2003': " ", '\u2007': " ", '\u2009': " ",
	'\u200A': " ", '\u202F': " ",
	'\u200B': "", '\u200C': "", '\u200D': "", '\u2060': "", '\uFEFF': "",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ħ': "h", 'Ħ': "H", 'ı': "i",
	'ø': "o", 'Ø': "O", 'œ': "oe", 'Œ': "OE", 'æ': "ae", 'Æ': "AE", 'ß': "ss",
	'ŉ': "'n", 'º': "o", 'ª': "a",
}
