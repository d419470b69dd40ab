package importer

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// requre reads requests.sessions.send.<METHOD>.<URL>: [calls]. See the
// package doc for the order and the alias rule.
func (c *convertState) requre() error {
	doc, err := c.yamlMapping(Requre, "a requre file is a YAML mapping with requests.sessions")
	if err != nil {
		return err
	}
	sessions := deref(mapValue(doc, "requests.sessions"))
	if sessions == nil {
		return notFormat(c.name, c.data, Requre, doc.Line, "no requests.sessions: key")
	}
	if sessions.Kind != yaml.MappingNode {
		return c.errorf(sessions.Line, -1, "requests.sessions: must be a mapping")
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if k := doc.Content[i].Value; k != "_requre" && k != "requests.sessions" {
			c.note(-1, "line %d: %s: is not a requests.sessions recording; ignored", doc.Content[i].Line, k)
		}
	}
	seen := map[*yaml.Node]string{} // a call's node → the URL it was first emitted under
	for i := 0; i+1 < len(sessions.Content); i += 2 {
		fn, methods := sessions.Content[i], deref(sessions.Content[i+1])
		if fn.Value != "send" {
			c.note(-1, "line %d: requests.sessions.%s: is not a recorded send; ignored", fn.Line, fn.Value)
			continue
		}
		if methods == nil || methods.Kind != yaml.MappingNode {
			return c.errorf(fn.Line, -1, "requests.sessions.send: must be a mapping of HTTP methods")
		}
		for j := 0; j+1 < len(methods.Content); j += 2 {
			mk, urls := methods.Content[j], deref(methods.Content[j+1])
			method := strings.ToUpper(mk.Value)
			if !isToken(method) {
				return c.errorf(mk.Line, -1, "%q is not an HTTP method", mk.Value)
			}
			if urls == nil || urls.Kind != yaml.MappingNode {
				return c.errorf(mk.Line, -1, "%s: must be a mapping of URLs to recorded calls", mk.Value)
			}
			for k := 0; k+1 < len(urls.Content); k += 2 {
				if err := c.requreURL(method, urls.Content[k], urls.Content[k+1], seen); err != nil {
					return err
				}
			}
		}
	}
	c.note(-1, "requre records the order of calls within one URL only: calls are listed URL by URL, in file order")
	if len(c.out) > 0 {
		c.note(-1, "requre keeps no request headers or bodies: a matcher that needs them will not find them")
	}
	return nil
}

func (c *convertState) requreURL(method string, key, val *yaml.Node, seen map[*yaml.Node]string) error {
	u, err := absURL(key.Value)
	if err != nil {
		return c.errorf(key.Line, -1, "URL key %q: %v", key.Value, err)
	}
	list := deref(val)
	if list == nil || isNull(list) {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		return c.errorf(val.Line, -1, "%s: must be a list of recorded calls", key.Value)
	}
	for _, item := range list.Content {
		call := deref(item)
		if call == nil {
			return c.errorf(item.Line, len(c.out), "%s: a recorded call is an alias to nothing", key.Value)
		}
		if first, ok := seen[call]; ok {
			c.note(-1, "line %d: %s %s: a call already counted under %s (a YAML alias); counted once", key.Line, method, key.Value, first)
			continue
		}
		seen[call] = u
		if err := c.requreCall(method, u, call); err != nil {
			return err
		}
	}
	return nil
}

func (c *convertState) requreCall(method, u string, call *yaml.Node) error {
	entry := len(c.out)
	if call.Kind != yaml.MappingNode {
		return c.errorf(call.Line, entry, "a recorded call must be a mapping with output:")
	}
	out := deref(mapValue(call, "output"))
	if out == nil || out.Kind != yaml.MappingNode {
		return c.errorf(call.Line, entry, "%s %s: the call has no output: (no response was recorded)", method, u)
	}
	codeNode := deref(mapValue(out, "status_code"))
	if codeNode == nil {
		return c.errorf(out.Line, entry, "%s %s: output has no status_code", method, u)
	}
	code, err := strconv.Atoi(codeNode.Value)
	if err != nil || code < 100 || code > 999 {
		return c.errorf(codeNode.Line, entry, "%s %s: status_code %q is not an HTTP status", method, u, codeNode.Value)
	}
	reason, _ := scalarText(mapValue(out, "reason"))
	h := http.Header{}
	if hn := deref(mapValue(out, "headers")); hn != nil && hn.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(hn.Content); i += 2 {
			name := hn.Content[i].Value
			v := deref(hn.Content[i+1])
			if v != nil && v.Kind == yaml.SequenceNode {
				for _, x := range v.Content {
					s, _ := scalarText(x)
					h.Add(name, s)
				}
				continue
			}
			s, _ := scalarText(v)
			h.Add(name, s)
		}
	}
	body := ""
	content := mapValue(out, "_content")
	if content == nil {
		content = mapValue(out, "content")
	}
	switch cn := deref(content); {
	case cn == nil, isNull(cn):
	case cn.Kind == yaml.ScalarNode:
		body, _ = scalarText(cn)
	default:
		var b bytes.Buffer
		if err := writeJSON(&b, cn, 0); err != nil {
			return c.errorf(cn.Line, entry, "%s %s: body: %v", method, u, err)
		}
		body = b.String()
	}
	c.add(method, u, "", nil, code, reason, h, body)
	return nil
}

// isToken reports whether s is an RFC 9110 token, as an HTTP method must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch <= ' ' || ch >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, ch) >= 0 {
			return false
		}
	}
	return s != ""
}
