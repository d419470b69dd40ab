package importer

import (
	"net/http"
	"strconv"

	"gopkg.in/yaml.v3"
)

// vcrpy reads interactions: [{request: {method, uri, body, headers},
// response: {status: {code, message}, headers, body: {string}}}]. Headers
// are lists; bodies may be !!binary (yaml.v3 decodes them to their bytes)
// and gzip.
func (c *convertState) vcrpy() error {
	doc, err := c.yamlMapping(VCRpy, "a vcrpy cassette is a mapping with interactions:")
	if err != nil {
		return err
	}
	inter := deref(mapValue(doc, "interactions"))
	if inter == nil {
		return notFormat(c.name, c.data, VCRpy, doc.Line, "no interactions: key")
	}
	if isNull(inter) {
		return nil
	}
	if inter.Kind != yaml.SequenceNode {
		return c.errorf(inter.Line, -1, "interactions: must be a list")
	}
	for i, n := range inter.Content {
		if err := c.vcrpyInteraction(i, deref(n)); err != nil {
			return err
		}
	}
	return nil
}

func (c *convertState) vcrpyInteraction(i int, n *yaml.Node) error {
	if n == nil || n.Kind != yaml.MappingNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		return c.errorf(line, i, "an interaction must be a mapping with request: and response:")
	}
	req := deref(mapValue(n, "request"))
	if req == nil || req.Kind != yaml.MappingNode {
		return c.errorf(n.Line, i, "the interaction has no request:")
	}
	if mapValue(req, "uri") == nil && mapValue(req, "url") != nil {
		return notFormat(c.name, c.data, VCRpy, req.Line, "request: has url:, not vcrpy's uri:")
	}
	method, _ := scalarText(mapValue(req, "method"))
	if !isToken(method) {
		return c.errorf(fieldLine(req, n, "method"), i, "request method %q is not an HTTP method", method)
	}
	rawURI, _ := scalarText(mapValue(req, "uri"))
	u, err := absURL(rawURI)
	if err != nil {
		return c.errorf(fieldLine(req, n, "uri"), i, "request uri %q: %v", rawURI, err)
	}
	reqBody := vcrpyBody(mapValue(req, "body"))
	resp := deref(mapValue(n, "response"))
	if resp == nil || resp.Kind != yaml.MappingNode {
		return c.errorf(n.Line, i, "the interaction has no response:")
	}
	status := deref(mapValue(resp, "status"))
	codeText, _ := scalarText(mapValue(status, "code"))
	code, err := strconv.Atoi(codeText)
	if err != nil || code < 100 || code > 999 {
		return c.errorf(fieldLine(status, resp, "code"), i, "response status code %q is not an HTTP status", codeText)
	}
	msg, _ := scalarText(mapValue(status, "message"))
	c.add(method, u, reqBody, vcrpyHeaders(mapValue(req, "headers")), code, msg,
		vcrpyHeaders(mapValue(resp, "headers")), vcrpyBody(mapValue(resp, "body")))
	return nil
}

// fieldLine is the line of key in m, else of the enclosing node.
func fieldLine(m, outer *yaml.Node, key string) int {
	if v := mapValue(m, key); v != nil {
		return v.Line
	}
	if m != nil {
		return m.Line
	}
	return outer.Line
}

// vcrpyBody reads a body: a scalar (the request's), or {string: …} (the
// response's; older vcrpy versions wrote the same for requests).
func vcrpyBody(n *yaml.Node) string {
	n = deref(n)
	if n != nil && n.Kind == yaml.MappingNode {
		n = mapValue(n, "string")
	}
	s, _ := scalarText(n)
	return s
}

func vcrpyHeaders(n *yaml.Node) http.Header {
	h := http.Header{}
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return h
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		v := deref(n.Content[i+1])
		if v != nil && v.Kind == yaml.SequenceNode {
			for _, x := range v.Content {
				s, _ := scalarText(x)
				h.Add(name, s)
			}
			continue
		}
		if s, ok := scalarText(v); ok {
			h.Add(name, s)
		}
	}
	return h
}
