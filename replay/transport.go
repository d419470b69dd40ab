package replay

import (
	"net/http"
	"strings"
)

// Transport is an http.RoundTripper that answers from a cassette and
// counts every request, for Go code in-process: give it to go-github with
// github.NewClient(&http.Client{Transport: t}). It never touches the
// network. Safe for concurrent use.
type Transport struct {
	e *engine
}

// NewTransport builds a Transport over a loaded cassette.
func NewTransport(c *Cassette, opts Options) *Transport {
	return &Transport{e: newEngine(c, opts, nil, true)}
}

// RoundTrip answers req from the cassette: the next recorded interaction
// for its key, the last one again once they are used up, or a GitHub-shaped
// 404 when nothing was recorded for it. Like any RoundTripper it closes the
// request body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	a, repeat := t.e.match(request{method: req.Method, host: req.URL.Host, path: req.URL.EscapedPath(), rawQuery: req.URL.RawQuery, header: req.Header, body: req.Body})
	if a == nil {
		return &http.Response{
			Status: "404 Not Found", StatusCode: http.StatusNotFound,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        unmatchedHeader(),
			Body:          &stringBody{Reader: strings.NewReader(unmatchedBody)},
			ContentLength: int64(len(unmatchedBody)),
			Request:       req,
		}, nil
	}
	resp := &http.Response{
		Status: a.status, StatusCode: a.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        a.clientHeader(repeat),
		ContentLength: int64(len(a.body)),
		Uncompressed:  a.uncompressed,
		Request:       req,
	}
	if req.Method == http.MethodHead || len(a.body) == 0 {
		resp.Body = http.NoBody
		resp.ContentLength = 0
	} else {
		resp.Body = &stringBody{Reader: strings.NewReader(a.body)}
	}
	return resp, nil
}

// Counts reports what has been counted so far.
func (t *Transport) Counts() Counts { return t.e.counts(false) }

// stringBody serves a recorded body without copying it.
type stringBody struct{ *strings.Reader }

func (stringBody) Close() error { return nil }

// clientHeader is a header map the client may keep and change: the
// answer's own on its first serving (see newEngine), a copy on a repeat.
func (a *answer) clientHeader(repeat bool) http.Header {
	switch {
	case repeat:
		return a.header.Clone()
	case a.own != nil:
		return a.own
	}
	return a.header
}
