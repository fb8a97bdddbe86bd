package tomlconf

import (
	"reflect"
	"slices"
)

// Keys lists every key the file struct v (a struct or a pointer to one)
// takes, dotted, sorted: a table's keys after its name, an array of
// tables' too ("desk.services"); a map is one key, its own names being
// free ("printer.footer"). Docs tests use it to find a key left out.
func Keys(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	keysOf(t, "", &out)
	slices.Sort(out)
	return out
}

func keysOf(t reflect.Type, prefix string, out *[]string) {
	for name, idx := range fieldsOf(t) {
		k := name
		if prefix != "" {
			k = prefix + "." + name
		}
		ft := t.FieldByIndex(idx).Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(textUnmarshaler) {
			keysOf(ft, k, out)
			continue
		}
		*out = append(*out, k)
	}
}

// newOf returns a pointer to a new zero value of v's struct type.
func newOf(v any) any {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return reflect.New(t).Interface()
}
