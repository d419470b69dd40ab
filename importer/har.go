package importer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

type harNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	Request *struct {
		Method   string         `json:"method"`
		URL      string         `json:"url"`
		Headers  []harNameValue `json:"headers"`
		PostData *struct {
			Text   string         `json:"text"`
			Params []harNameValue `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response *struct {
		Status     int            `json:"status"`
		StatusText string         `json:"statusText"`
		Headers    []harNameValue `json:"headers"`
		Content    struct {
			Text     *string `json:"text"`
			Encoding string  `json:"encoding"`
			Size     int64   `json:"size"`
		} `json:"content"`
	} `json:"response"`
}

// har reads HAR 1.2: log.entries[].request and .response, in file order.
func (c *convertState) har() error {
	l, err := listAt(c.data, "log", "entries")
	if err != nil {
		return c.jsonListError(HAR, err, "a HAR file is an object with log.entries")
	}
	for i, raw := range l.items {
		line := l.lines[i]
		var e harEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return c.errorf(line, i, "%v", err)
		}
		if e.Request == nil {
			return c.errorf(line, i, "the entry has no request")
		}
		if e.Response == nil {
			return c.errorf(line, i, "the entry has no response")
		}
		req, resp := e.Request, e.Response
		if !isToken(req.Method) {
			return c.errorf(line, i, "request method %q is not an HTTP method", req.Method)
		}
		u, err := absURL(req.URL)
		if err != nil {
			return c.errorf(line, i, "request url %q: %v", req.URL, err)
		}
		if resp.Status < 100 || resp.Status > 999 {
			return c.errorf(line, i, "response status %d is not an HTTP status (the request failed or was blocked before an answer)", resp.Status)
		}
		reqBody := ""
		if req.PostData != nil {
			reqBody = req.PostData.Text
			if reqBody == "" && len(req.PostData.Params) > 0 {
				c.note(i, "the request body is recorded as params only; it is left empty")
			}
		}
		body := ""
		if t := resp.Content.Text; t != nil {
			body = *t
			if strings.EqualFold(resp.Content.Encoding, "base64") {
				b, err := base64.StdEncoding.DecodeString(body)
				if err != nil {
					return c.errorf(line, i, "response content is not valid base64: %v", err)
				}
				body = string(b)
			}
		} else if resp.Content.Size > 0 {
			c.note(i, "the response body (%d bytes) was not saved in the HAR file; it is left empty", resp.Content.Size)
		}
		c.add(req.Method, u, reqBody, harHeaders(req.Headers), resp.Status, resp.StatusText, harHeaders(resp.Headers), body)
	}
	return nil
}

// harHeaders drops HTTP/2 pseudo-headers (:authority, :status …), which
// are not headers to a client.
func harHeaders(nv []harNameValue) http.Header {
	h := http.Header{}
	for _, x := range nv {
		if x.Name == "" || strings.HasPrefix(x.Name, ":") {
			continue
		}
		h.Add(x.Name, x.Value)
	}
	return h
}

// jsonListError turns what listAt found into an *Error: not the format
// (ErrFormat) or a broken file (ErrInvalid).
func (c *convertState) jsonListError(f Format, err error, what string) error {
	var nt *errNotThere
	if errors.As(err, &nt) {
		return notFormat(c.name, c.data, f, nt.line, what+"; found "+nt.Error())
	}
	var v any
	if jerr := json.Unmarshal(c.data, &v); jerr != nil {
		if got, derr := detect(c.name, c.data); derr == nil && got != f {
			return notFormat(c.name, c.data, f, 0, what)
		}
		return jsonError(c.name, c.data, jerr)
	}
	return &Error{File: c.name, Entry: -1, Msg: err.Error(), Err: ErrInvalid}
}
