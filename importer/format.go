package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Format names a recording format.
type Format string

// The formats Convert reads.
const (
	GoVCR  Format = "govcr"
	Requre Format = "requre"
	VCRpy  Format = "vcrpy"
	HAR    Format = "har"
	Nock   Format = "nock"
)

// Formats lists the known formats, in the order they are documented.
var Formats = []Format{GoVCR, Requre, VCRpy, HAR, Nock}

func formatList() string {
	s := make([]string, len(Formats))
	for i, f := range Formats {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// ParseFormat reads a format name as a user gives it (--from, format: in
// the config). "" is no format: Convert and Load then detect it.
func ParseFormat(s string) (Format, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	switch n {
	case "":
		return "", nil
	case "go-vcr", "vcr", "cassette":
		return GoVCR, nil
	case "vcr.py", "vcr-py":
		return VCRpy, nil
	}
	for _, f := range Formats {
		if string(f) == n {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown recording format %q (known: %s): %w", s, formatList(), ErrFormat)
}

// Detect tells the format of a recording from its content. It returns an
// error wrapping ErrInvalid when data is neither valid JSON nor YAML, and
// ErrFormat when it is but no known format.
func Detect(data []byte) (Format, error) {
	return detect("input", data)
}

func detect(name string, data []byte) (f Format, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = "", &Error{File: name, Entry: -1, Msg: fmt.Sprintf("cannot read the file: %v", r), Err: ErrInvalid}
		}
	}()
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return "", &Error{File: name, Entry: -1, Msg: "the file is empty", Err: ErrInvalid}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		if f, ok, err := detectJSON(name, data); ok || err != nil {
			return f, err
		}
	}
	root, err := parseYAMLNode(name, data)
	if err != nil {
		return "", err
	}
	if f := detectYAML(root); f != "" {
		return f, nil
	}
	return "", &Error{File: name, Entry: -1, Err: ErrFormat,
		Msg: fmt.Sprintf("not a recording callbudget can tell (%s); name the format", formatList())}
}

// detectJSON tells HAR and nock apart; ok is false for JSON that is
// neither (a vcrpy cassette written by its JSON serializer is YAML too).
func detectJSON(name string, data []byte) (Format, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false, jsonError(name, data, err)
	}
	switch v := v.(type) {
	case map[string]any:
		if log, ok := v["log"].(map[string]any); ok {
			if _, ok := log["entries"]; ok {
				return HAR, true, nil
			}
		}
	case []any:
		if len(v) > 0 {
			if o, ok := v[0].(map[string]any); ok && hasKeys(o, "scope", "method", "path") {
				return Nock, true, nil
			}
		}
	}
	return "", false, nil
}

func hasKeys(o map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return true
}

func detectYAML(root *yaml.Node) Format {
	doc := docNode(root)
	if doc == nil || doc.Kind != yaml.MappingNode {
		return ""
	}
	if mapValue(doc, "_requre") != nil || mapValue(doc, "requests.sessions") != nil {
		return Requre
	}
	inter := deref(mapValue(doc, "interactions"))
	if inter == nil {
		return ""
	}
	version := deref(mapValue(doc, "version"))
	if inter.Kind == yaml.SequenceNode && len(inter.Content) > 0 {
		if req := deref(mapValue(deref(inter.Content[0]), "request")); req != nil {
			switch {
			case mapValue(req, "uri") != nil:
				return VCRpy
			case mapValue(req, "url") != nil:
				return GoVCR
			}
		}
		return ""
	}
	if version != nil && version.Value == "2" {
		return GoVCR
	}
	if version != nil && version.Value == "1" {
		return VCRpy
	}
	return ""
}

// notFormat is the error for a file that is not the format it was named
// as; it says what the file looks like when that can be told.
func notFormat(name string, data []byte, want Format, line int, what string) error {
	msg := fmt.Sprintf("not a %s recording (%s)", want, what)
	if got, err := detect(name, data); err == nil && got != want {
		msg += fmt.Sprintf("; it looks like %s: name that format instead", got)
	}
	return &Error{File: name, Line: line, Entry: -1, Msg: msg, Err: ErrFormat}
}

func jsonError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	line := 0
	switch {
	case errors.As(err, &se):
		line = lineAt(data, se.Offset)
	case errors.As(err, &te):
		line = lineAt(data, te.Offset)
	}
	msg := "not valid JSON: " + err.Error()
	if isEOF(err) || (se != nil && strings.Contains(se.Error(), "unexpected end")) {
		msg = "not valid JSON: the file ends in the middle of a value (truncated?)"
		line = lineAt(data, int64(len(bytes.TrimRight(data, " \t\r\n"))))
	}
	return &Error{File: name, Line: line, Entry: -1, Msg: msg, Err: ErrInvalid}
}

func isEOF(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
