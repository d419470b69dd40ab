package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonList is a JSON list found at a path of object keys, each element
// kept raw with the line it starts on.
type jsonList struct {
	items []json.RawMessage
	lines []int
}

// errNotThere says the path or the list at its end is missing; what is
// the kind of value found instead ("" when the key is absent).
type errNotThere struct {
	key  string
	what string
	line int
}

func (e *errNotThere) Error() string {
	if e.what == "" {
		return fmt.Sprintf("no %q key", e.key)
	}
	return fmt.Sprintf("%s where %s was expected", e.what, e.key)
}

// listAt streams data to the list at path ("log", "entries"; none for a
// top-level list) without decoding what it skips twice, so that an
// element's line can be told.
func listAt(data []byte, path ...string) (*jsonList, error) {
	// A file broken after the list (truncated, or two values) is as
	// broken as one broken inside it: check the whole first.
	if !json.Valid(data) {
		var v any
		return nil, json.Unmarshal(data, &v)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for _, key := range path {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return nil, &errNotThere{key: "an object with " + key, what: describe(tok), line: lineAt(data, dec.InputOffset())}
		}
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if k, _ := kt.(string); k == key {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
		}
		if !found {
			return nil, &errNotThere{key: key, line: lineAt(data, dec.InputOffset())}
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &errNotThere{key: "a list", what: describe(tok), line: lineAt(data, dec.InputOffset())}
	}
	l := &jsonList{}
	for dec.More() {
		line := lineAt(data, skipSpace(data, dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		l.items = append(l.items, raw)
		l.lines = append(l.lines, line)
	}
	return l, nil
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
			continue
		}
		break
	}
	return off
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "a list"
		}
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "something else"
}

// compactJSON is raw JSON without insignificant space, its keys in order.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
