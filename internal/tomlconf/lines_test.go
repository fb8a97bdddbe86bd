package tomlconf

import (
	"maps"
	"testing"
)

func TestKeyLines(t *testing.T) {
	doc := `# a comment
[office]
id = "08-121"

[[panel.button]]
pin = "GPIO17"
service = "oac"

[[panel.button]]
pin = "GPIO27"

[[panel.desk]]
desk = "taula1"
[panel.desk.display]
type = "serial"

[[panel.desk]]
desk = "taula2"
  "next" = "GPIO22"
[panel.desk.display]
type = "ssd1306"
`
	want := map[string]int{
		"office": 2, "office.id": 3,
		"panel.button.0": 5, "panel.button.0.pin": 6, "panel.button.0.service": 7,
		"panel.button.1": 9, "panel.button.1.pin": 10,
		"panel.desk.0": 12, "panel.desk.0.desk": 13, "panel.desk.0.display": 14, "panel.desk.0.display.type": 15,
		"panel.desk.1": 17, "panel.desk.1.desk": 18, "panel.desk.1.next": 19, "panel.desk.1.display": 20, "panel.desk.1.display.type": 21,
	}
	if got := keyLines([]byte(doc)); !maps.Equal(got, want) {
		t.Errorf("keyLines:\n got %v\nwant %v", got, want)
	}
}
