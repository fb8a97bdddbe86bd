package tomlconf

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Decode reads the TOML document b, from the file path, into v, a pointer
// to a struct whose fields carry `toml:"key"` tags. It goes on past a
// problem: every unknown key, every value of the wrong type and every
// value its type refuses (a field whose type is an
// encoding.TextUnmarshaler gets the string, and its error is the
// problem's message) is one problem, and the other keys are decoded. A
// syntax error stops it: there is nothing reliable after it.
//
// The File it returns takes the checks of the values that follow.
func Decode(path string, b []byte, v any) *File {
	f := &File{Path: path, decoded: map[string]bool{}}
	var doc map[string]any
	dec := toml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		f.fatal = true
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			f.problems = append(f.problems, &Problem{File: path, Line: row,
				Msg: fmt.Sprintf("column %d: %s", col, strings.TrimPrefix(de.Error(), "toml: "))})
		} else {
			f.problems = append(f.problems, &Problem{File: path, Msg: err.Error()})
		}
		return f
	}
	f.lines = keyLines(b)
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("tomlconf: Decode needs a pointer to a struct")
	}
	f.table(rv.Elem(), doc, "")
	return f
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// A Wanter is a TextUnmarshaler that says what it wants, for the problem
// of a value that is not a string: "a duration in quotes, such as \"5m\"".
type Wanter interface {
	encoding.TextUnmarshaler
	Want() string
}

// fail records that key's value could not be decoded.
func (f *File) fail(key, format string, args ...any) {
	f.decoded[key] = true
	f.add(key, fmt.Sprintf(format, args...))
}

// table decodes the table m into the struct v.
func (f *File) table(v reflect.Value, m map[string]any, key string) {
	fields := fieldsOf(v.Type())
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		k := name
		if key != "" {
			k = key + "." + name
		}
		idx, ok := fields[name]
		if !ok {
			f.fail(k, "unknown key")
			continue
		}
		f.value(v.FieldByIndex(idx), m[name], k)
	}
}

// fieldsOf maps a struct's keys to its fields; an embedded struct without
// a tag lends its keys.
func fieldsOf(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("toml")
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			for name, idx := range fieldsOf(sf.Type) {
				out[name] = append([]int{i}, idx...)
			}
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out[name] = []int{i}
	}
	return out
}

// value decodes the TOML value x into v.
func (f *File) value(v reflect.Value, x any, key string) {
	if v.Kind() == reflect.Pointer {
		n := reflect.New(v.Type().Elem())
		f.value(n.Elem(), x, key)
		v.Set(n)
		return
	}
	if reflect.PointerTo(v.Type()).Implements(textUnmarshaler) {
		s, ok := x.(string)
		if !ok {
			want := "a string (in quotes)"
			if w, ok := v.Addr().Interface().(Wanter); ok {
				want = w.Want()
			}
			f.fail(key, "%s: want %s", describe(x), want)
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			f.fail(key, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		if s, ok := x.(string); ok {
			v.SetString(s)
			return
		}
		f.fail(key, "%s: want a string (in quotes)", describe(x))
	case reflect.Bool:
		if b, ok := x.(bool); ok {
			v.SetBool(b)
			return
		}
		f.fail(key, "%s: want true or false", describe(x))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(int64)
		if !ok {
			f.fail(key, "%s: want a whole number", describe(x))
			return
		}
		if v.OverflowInt(n) {
			f.fail(key, "%d: too large", n)
			return
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := x.(int64)
		if !ok {
			f.fail(key, "%s: want a whole number", describe(x))
			return
		}
		if n < 0 || v.OverflowUint(uint64(n)) {
			f.fail(key, "%d: out of range", n)
			return
		}
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		switch n := x.(type) {
		case float64:
			v.SetFloat(n)
		case int64:
			v.SetFloat(float64(n))
		default:
			f.fail(key, "%s: want a number", describe(x))
		}
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			f.fail(key, "%v: want a finite number", v.Float())
		}
	case reflect.Slice:
		xs, ok := x.([]any)
		if !ok {
			if v.Type().Elem().Kind() == reflect.Struct {
				f.fail(key, "%s: want [[%s]] tables", describe(x), key)
			} else {
				f.fail(key, "%s: want an array, [ … ]", describe(x))
			}
			return
		}
		s := reflect.MakeSlice(v.Type(), len(xs), len(xs))
		for i, e := range xs {
			f.value(s.Index(i), e, Join(key, i))
		}
		v.Set(s)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			f.fail(key, "%s: want a table, { key = value, … }", describe(x))
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for name, e := range m {
			ev := reflect.New(v.Type().Elem()).Elem()
			f.value(ev, e, key+"."+name)
			out.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), ev)
		}
		v.Set(out)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			f.fail(key, "%s: want a table", describe(x))
			return
		}
		f.table(v, m, key)
	default:
		panic(fmt.Sprintf("tomlconf: cannot decode into %s (%s)", v.Type(), key))
	}
}

// describe names a TOML value for a message: its text and what it is.
func describe(x any) string {
	switch x := x.(type) {
	case string:
		return fmt.Sprintf("%q is a string", x)
	case int64:
		return fmt.Sprintf("%d is a number", x)
	case float64:
		return fmt.Sprintf("%v is a number", x)
	case bool:
		return fmt.Sprintf("%v is a boolean", x)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return fmt.Sprintf("%v is a date or time", x)
	}
	return fmt.Sprintf("%v", x)
}
