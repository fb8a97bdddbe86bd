package printer

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// cpSupported is every model and code page pair CodePageFor accepts.
func cpSupported(t testing.TB) []CodePage {
	t.Helper()
	var out []CodePage
	for _, model := range sortedKeys(modelPages) {
		for _, name := range sortedKeys(modelPages[model]) {
			cp, err := CodePageFor(model, name)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, cp)
		}
	}
	return out
}

func TestCodePageFor(t *testing.T) {
	tests := []struct {
		model, name string
		wantName    string
		wantNumber  byte
		wantMap     *charmap.Charmap
	}{
		{"epson", "pc850", "pc850", 2, charmap.CodePage850},
		{"epson", "wpc1252", "wpc1252", 16, charmap.Windows1252},
		{"epson", "pc858", "pc858", 19, charmap.CodePage858},
		{"epson", "", "pc858", 19, charmap.CodePage858},
		{"generic", "pc858", "pc858", 19, charmap.CodePage858},
		{"", "", "pc858", 19, charmap.CodePage858},
		{"pos5890", "pc858", "pc858", 53, charmap.CodePage858},
		{"pos5890", "wpc1252", "wpc1252", 71, charmap.Windows1252},
		{"zj5870", "wpc1252", "wpc1252", 16, charmap.Windows1252},
	}
	for _, tt := range tests {
		cp, err := CodePageFor(tt.model, tt.name)
		if err != nil {
			t.Errorf("%q %q: %v", tt.model, tt.name, err)
			continue
		}
		if cp.Name != tt.wantName || cp.Number != tt.wantNumber || cp.Charmap != tt.wantMap {
			t.Errorf("%q %q: %s %d %v, want %s %d %v", tt.model, tt.name, cp.Name, cp.Number, cp.Charmap, tt.wantName, tt.wantNumber, tt.wantMap)
		}
	}
}

func TestCodePageForErrors(t *testing.T) {
	tests := []struct {
		model, name string
		want        []string
	}{
		{"tm-t88", "pc858", []string{`unknown printer model "tm-t88"`, "epson, generic, pos5890, zj5870"}},
		{"zj5870", "pc858", []string{"zj5870 has no code page pc858", "it has: wpc1252"}},
		{"zj5870", "", []string{"zj5870 has no code page pc858"}},
		{"pos5890", "pc850", []string{"pos5890 has no code page pc850", "pc858, wpc1252"}},
		{"epson", "pc437", []string{`unknown code page "pc437"`, "pc850, pc858, wpc1252"}},
	}
	for _, tt := range tests {
		_, err := CodePageFor(tt.model, tt.name)
		if err == nil {
			t.Errorf("%q %q: no error", tt.model, tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q %q: %q does not say %q", tt.model, tt.name, err, w)
			}
		}
	}
}

// cpDecode decodes b with the charmap the bytes were meant for.
func cpDecode(cm *charmap.Charmap, b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(cm.DecodeByte(c))
	}
	return sb.String()
}

// TestCatalanSpanishRoundTrip: every letter and sign Catalan and Spanish
// need encodes to one byte of each supported table that decodes back to
// it (€ prints EUR on CP850, which lacks it).
func TestCatalanSpanishRoundTrip(t *testing.T) {
	const letters = "àéèíïòóúüçÇñÑ·¿¡ÀÉÈÍÏÒÓÚÜ«»ºª"
	for _, cp := range cpSupported(t) {
		for _, r := range letters + "€" {
			got := cp.Encode(string(r))
			want := string(r)
			if r == '€' && cp.Name == "pc850" {
				want = "EUR"
			} else if len(got) != 1 {
				t.Errorf("%s/%s: %q is %d bytes % X, want one", cp.Model, cp.Name, r, len(got), got)
			}
			if back := cpDecode(cp.Charmap, got); back != want {
				t.Errorf("%s/%s: %q → % X → %q", cp.Model, cp.Name, r, got, back)
			}
		}
		// Whole words, and the middle-dot l: ŀ, which no table has, is l·.
		for in, want := range map[string]string{
			"Col·legi d'Advocats, plaça Ŀ": "Col·legi d'Advocats, plaça L·",
			"coŀlecció":                    "col·lecció",
			"¿Señal? ¡Añadir!":             "¿Señal? ¡Añadir!",
			"Pingüí, veïna, ÚLTIM":         "Pingüí, veïna, ÚLTIM",
		} {
			if back := cpDecode(cp.Charmap, cp.Encode(in)); back != want {
				t.Errorf("%s/%s: %q → %q, want %q", cp.Model, cp.Name, in, back, want)
			}
		}
	}
}

// TestEncodeBytes pins a few bytes to the tables, so a swapped table shows.
func TestEncodeBytes(t *testing.T) {
	tests := []struct {
		page, in string
		want     []byte
	}{
		{"pc858", "àç·€", []byte{0x85, 0x87, 0xFA, 0xD5}},
		{"pc850", "àç·€", []byte{0x85, 0x87, 0xFA, 'E', 'U', 'R'}},
		{"wpc1252", "àç·€", []byte{0xE0, 0xE7, 0xB7, 0x80}},
		{"pc858", "ŀ", []byte{'l', 0xFA}},
		{"wpc1252", "Ŀ", []byte{'L', 0xB7}},
	}
	for _, tt := range tests {
		cp, err := CodePageFor("epson", tt.page)
		if err != nil {
			t.Fatal(err)
		}
		if got := cp.Encode(tt.in); string(got) != string(tt.want) {
			t.Errorf("%s %q: % X, want % X", tt.page, tt.in, got, tt.want)
		}
	}
}

func TestEncodeFallbacks(t *testing.T) {
	pc850, _ := CodePageFor("epson", "pc850")
	pc858, _ := CodePageFor("epson", "pc858")
	w1252, _ := CodePageFor("epson", "wpc1252")
	tests := []struct {
		cp       CodePage
		in, want string // want decoded with cp's charmap
	}{
		{pc858, "“Hola” ‘món’", `"Hola" 'món'`},
		{w1252, "“Hola”", "“Hola”"}, // 1252 has them
		{pc858, "9–14 h — tancat…", "9-14 h - tancat..."},
		{w1252, "tancat…", "tancat…"},
		{pc850, "5 €", "5 EUR"},
		{pc858, "Łódź, Győr, Ærø", "Lódz, Gyor, Ærø"},
		{pc858, "Nguyễn", "Nguyen"},
		{pc858, "e\u0301s", "és"}, // decomposed input
		{pc858, "q\u0301", "q"},   // a mark with no precomposed letter
		{pc858, "ﬁ Ａ ①", "fi A 1"},
		{pc858, "日本", "??"},
		{pc858, "🙂!", "?!"},
		{pc858, "a\x1b@b\x1d\x56\x42", "a?@b?VB"}, // no command gets through
		{pc858, "a\tb\nc\r", "a b?c?"},
		{pc858, "a\u00a0b\u202fc\u200bd", "a\u00a0b c" + "d"},
		{pc858, "Œuvre", "OEuvre"},
		{w1252, "Œuvre", "Œuvre"},
		{pc858, string([]byte{0xff, 'x'}), "?x"}, // invalid UTF-8
		{CodePage{}, "Plaça 5 €", "Placa 5 EUR"},
	}
	for _, tt := range tests {
		got := tt.cp.Encode(tt.in)
		cm := tt.cp.Charmap
		if cm == nil {
			cm = charmap.CodePage858
		}
		if back := cpDecode(cm, got); back != tt.want {
			t.Errorf("%s %q → % X = %q, want %q", tt.cp.Name, tt.in, got, back, tt.want)
		}
	}
}

// cpCheckPrintable fails when encoded text holds a byte a printer would take
// as a command.
func cpCheckPrintable(t testing.TB, in string, b []byte) {
	t.Helper()
	for i, c := range b {
		if c < 0x20 || c == 0x7F {
			t.Fatalf("%q → % X: byte %d is %02X", in, b, i, c)
		}
	}
}

func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "A023", "Plaça de l'Ajuntament, 1", "\x1b@\x1dV\x42", "coŀlecció €", "e\u0301", "\xff\xfe"} {
		f.Add(s)
	}
	pages := cpSupported(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, cp := range pages {
			b := cp.Encode(s)
			cpCheckPrintable(t, s, b)
			if utf8.ValidString(s) && s != "" && len(b) == 0 && strings.TrimFunc(s, cpDropped) != "" {
				t.Fatalf("%s: %q encoded to nothing", cp.Name, s)
			}
		}
	})
}

// cpDropped reports runes Encode may drop: zero-width ones and marks.
func cpDropped(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return unicode.Is(unicode.Mn, r)
}
