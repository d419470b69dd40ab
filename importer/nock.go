package importer

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// nockEntry is one of the output objects nock's recorder writes
// (output_objects: true), as @octokit/fixtures keeps them too.
type nockEntry struct {
	Scope            string                     `json:"scope"`
	Method           string                     `json:"method"`
	Path             string                     `json:"path"`
	Body             json.RawMessage            `json:"body"`
	Status           *int                       `json:"status"`
	Response         json.RawMessage            `json:"response"`
	ResponseIsBinary bool                       `json:"responseIsBinary"`
	Headers          map[string]json.RawMessage `json:"headers"`
	RawHeaders       json.RawMessage            `json:"rawHeaders"`
	Reqheaders       map[string]json.RawMessage `json:"reqheaders"`
}

// nock reads a JSON list of nock definitions, in file order.
func (c *convertState) nock() error {
	l, err := listAt(c.data)
	if err != nil {
		return c.jsonListError(Nock, err, "a nock recording is a JSON list of {scope, method, path, …}")
	}
	for i, raw := range l.items {
		line := l.lines[i]
		var e nockEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			if i == 0 && !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
				return notFormat(c.name, c.data, Nock, line, "its entries are not objects")
			}
			return c.errorf(line, i, "%v", err)
		}
		if e.Scope == "" && e.Path == "" {
			if i == 0 {
				return notFormat(c.name, c.data, Nock, line, "the first entry has no scope or path")
			}
			return c.errorf(line, i, "the entry has no scope and no path")
		}
		method := strings.ToUpper(e.Method)
		if !isToken(method) {
			return c.errorf(line, i, "method %q is not an HTTP method", e.Method)
		}
		u, err := absURL(strings.TrimSuffix(e.Scope, "/") + e.Path)
		if err != nil {
			return c.errorf(line, i, "scope %q and path %q: %v", e.Scope, e.Path, err)
		}
		code := http.StatusOK
		if e.Status != nil {
			code = *e.Status
		}
		if code < 100 || code > 999 {
			return c.errorf(line, i, "status %d is not an HTTP status", code)
		}
		respH := http.Header{}
		raw := bytes.TrimSpace(e.RawHeaders)
		if len(raw) > 0 && raw[0] == '{' {
			// nock 14's recorder writes rawHeaders as an object of
			// name → value (or list of values), like headers.
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return c.errorf(line, i, "rawHeaders: must be a flat list [name, value, …] or an object: %v", err)
			}
			for k, v := range m {
				addJSONHeader(respH, k, v)
			}
		} else if len(raw) > 0 && !isJSONNull(raw) {
			var flat []json.RawMessage
			if err := json.Unmarshal(raw, &flat); err != nil {
				return c.errorf(line, i, "rawHeaders: must be a flat list [name, value, …] or an object: %v", err)
			}
			if len(flat)%2 != 0 {
				c.note(i, "rawHeaders has an odd number of items; the last is dropped")
			}
			for j := 0; j+1 < len(flat); j += 2 {
				addJSONHeader(respH, jsonText(flat[j]), flat[j+1])
			}
		} else {
			for k, v := range e.Headers {
				addJSONHeader(respH, k, v)
			}
		}
		reqH := http.Header{}
		for k, v := range e.Reqheaders {
			addJSONHeader(reqH, k, v)
		}
		body, ok := c.nockResponse(i, e, respH)
		if !ok {
			return c.errorf(line, i, "response: a binary response is not valid hex")
		}
		c.add(method, u, nockBody(e.Body), reqH, code, "", respH, body)
	}
	if len(l.items) > 0 {
		c.note(-1, "nock keeps no status text and no request headers beyond reqheaders matchers")
	}
	return nil
}

// nockResponse is the response body: a string as is (hex when
// responseIsBinary), a JSON value encoded again, or, for a content-encoded
// answer, the list of hex chunks nock's recorder writes, joined.
func (c *convertState) nockResponse(i int, e nockEntry, h http.Header) (string, bool) {
	raw := bytes.TrimSpace(e.Response)
	switch {
	case len(raw) == 0 || isJSONNull(raw):
		return "", true
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		if e.ResponseIsBinary {
			b, err := hex.DecodeString(s)
			return string(b), err == nil
		}
		return s, true
	case raw[0] == '[' && h.Get("Content-Encoding") != "":
		var chunks []string
		if json.Unmarshal(raw, &chunks) == nil {
			var b strings.Builder
			for _, ch := range chunks {
				d, err := hex.DecodeString(ch)
				if err != nil {
					return compactJSON(raw), true
				}
				b.Write(d)
			}
			return b.String(), true
		}
	}
	return compactJSON(raw), true
}

// nockBody is a request body: a string as is, anything else (a JSON body
// nock parsed) encoded again.
func nockBody(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isJSONNull(raw) {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return compactJSON(raw)
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonText is a JSON scalar as text: a string unquoted, a number or a
// boolean as written.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// addJSONHeader adds a header whose value is a string, a number or a list.
func addJSONHeader(h http.Header, name string, v json.RawMessage) {
	if name == "" {
		return
	}
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		for _, x := range list {
			h.Add(name, jsonText(x))
		}
		return
	}
	h.Add(name, jsonText(v))
}
