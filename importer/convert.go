package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/regfile"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/scrub"
)

// Result is one converted recording.
type Result struct {
	// Cassette holds the interactions, numbered 0..n-1, in go-vcr's
	// own types. It is not scrubbed yet: Load scrubs.
	Cassette *cassette.Cassette
	// Format is the input's format, as named or detected.
	Format Format
	// Notes says what the input could not carry over.
	Notes []Note
}

// maxBodyBytes caps one decoded (gunzipped) body, so a gzip bomb in a
// recording cannot exhaust memory.
const maxBodyBytes = 64 << 20

// Convert reads data, a recording in format f ("" detects it from the
// content), as a go-vcr cassette; name is used in errors. It never panics.
func Convert(name string, data []byte, f Format) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &Error{File: name, Entry: -1, Msg: fmt.Sprintf("cannot read the file: %v", r), Err: ErrInvalid}
		}
	}()
	if f == "" {
		if f, err = detect(name, data); err != nil {
			return nil, err
		}
	}
	var c convertState
	c.name, c.data = name, data
	switch f {
	case GoVCR:
		rc, err := replay.Parse(name, data, replay.LoadOptions{})
		if err != nil {
			return nil, &Error{File: name, Entry: -1, Msg: err.Error(), Err: ErrInvalid}
		}
		return &Result{Cassette: rc.Cassette, Format: GoVCR}, nil
	case Requre:
		err = c.requre()
	case VCRpy:
		err = c.vcrpy()
	case HAR:
		err = c.har()
	case Nock:
		err = c.nock()
	default:
		return nil, &Error{File: name, Entry: -1, Msg: fmt.Sprintf("unknown recording format %q (known: %s)", f, formatList()), Err: ErrFormat}
	}
	if err != nil {
		return nil, err
	}
	vc := cassette.New(strings.TrimSuffix(name, ".yaml"))
	for i, in := range c.out {
		in.ID = i
	}
	vc.Interactions = c.out
	return &Result{Cassette: vc, Format: f, Notes: c.notes}, nil
}

// convertState is one conversion in progress.
type convertState struct {
	name  string
	data  []byte
	out   []*cassette.Interaction
	notes []Note
}

func (c *convertState) note(entry int, format string, args ...any) {
	c.notes = append(c.notes, Note{Entry: entry, Msg: fmt.Sprintf(format, args...)})
}

func (c *convertState) errorf(line, entry int, format string, args ...any) error {
	return &Error{File: c.name, Line: line, Entry: entry, Msg: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// add appends an interaction built from the parts every format has. The
// response body is made text as go-vcr records it: a gzip body is decoded
// (uncompressed: true, no Content-Encoding), and a body stored decoded
// loses the Content-Encoding that no longer applies to it.
func (c *convertState) add(method, rawURL, reqBody string, reqH http.Header, code int, status string, respH http.Header, body string) {
	entry := len(c.out)
	if reqH == nil {
		reqH = http.Header{}
	}
	if respH == nil {
		respH = http.Header{}
	}
	host := ""
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Host
	}
	if status == "" {
		status = http.StatusText(code)
	}
	if !strings.HasPrefix(status, strconv.Itoa(code)+" ") {
		status = strings.TrimSpace(strconv.Itoa(code) + " " + status)
	}
	for _, k := range []string{"Transfer-Encoding", "Connection", "Keep-Alive"} {
		respH.Del(k)
	}
	body, uncompressed := c.decodeBody(entry, respH, body)
	length := int64(len(body))
	if uncompressed {
		length = -1
	}
	c.out = append(c.out, &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			ContentLength: int64(len(reqBody)),
			Host:          host,
			Body:          reqBody,
			Form:          url.Values{},
			Headers:       reqH,
			URL:           rawURL,
			Method:        strings.ToUpper(method),
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			ContentLength: length,
			Uncompressed:  uncompressed,
			Body:          body,
			Headers:       respH,
			Status:        status,
			Code:          code,
		},
	})
}

func (c *convertState) decodeBody(entry int, h http.Header, body string) (string, bool) {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if enc == "" || enc == "identity" {
		return body, false
	}
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err == nil {
			var b bytes.Buffer
			_, err = io.Copy(&b, io.LimitReader(zr, maxBodyBytes+1))
			if err == nil && b.Len() <= maxBodyBytes {
				h.Del("Content-Encoding")
				h.Del("Content-Length")
				return b.String(), true
			}
		}
		c.note(entry, "the gzip response body does not decode; kept as recorded")
		return body, false
	}
	if utf8.ValidString(body) {
		// Stored already decoded (requre, HAR and nock keep the text).
		h.Del("Content-Encoding")
		h.Del("Content-Length")
		return body, true
	}
	c.note(entry, "the response body is %s-encoded and cannot be decoded here; kept as recorded", enc)
	return body, false
}

// absURL makes a recorded URL absolute and drops the scheme's default
// port; a bare path is taken as GitHub's API.
func absURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "/") {
		raw = "https://api.github.com" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", errors.New("not an absolute http(s) URL")
	}
	if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
	}
	return u.String(), nil
}

// Encode renders c as the YAML go-vcr's cassette.Save writes.
func Encode(c *cassette.Cassette) ([]byte, error) {
	out, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode cassette: %w", err)
	}
	return append([]byte("---\n"), out...), nil
}

// Load reads the recording at path in format f ("" detects it) as a
// validated replay cassette. A go-vcr cassette is loaded as it is; any
// other format is converted, every interaction scrubbed as a recording
// is, encoded as go-vcr writes it and parsed back, so that what is
// replayed is exactly what `callbudget import` would write. Only a regular
// file is read: a named pipe or a device is refused at once.
func Load(path string, f Format, opts replay.LoadOptions) (*replay.Cassette, []Note, error) {
	return load(context.Background(), path, f, opts, scrub.Options{})
}

// LoadContext is Load that returns as soon as ctx is done, with an *Error
// wrapping ctx.Err(). As with replay.LoadContext, a parse or conversion
// under way cannot be stopped midway: it goes on in the background until
// its next check of ctx, and its result is dropped.
func LoadContext(ctx context.Context, path string, f Format, opts replay.LoadOptions) (*replay.Cassette, []Note, error) {
	return LoadScrubbed(ctx, path, f, opts, scrub.Options{})
}

// LoadScrubbed is LoadContext that scrubs a converted recording with so
// (the config's redact: patterns, the known tokens) besides the built-in
// rules, as callbudget record scrubs what it records. A go-vcr cassette is
// loaded as it is: scrubbing one is re-recording's job, its scan refuses
// what is left.
func LoadScrubbed(ctx context.Context, path string, f Format, opts replay.LoadOptions, so scrub.Options) (*replay.Cassette, []Note, error) {
	if ctx.Done() == nil { // never canceled: no goroutine needed
		return load(ctx, path, f, opts, so)
	}
	if ctx.Err() != nil {
		return nil, nil, interrupted(ctx, path)
	}
	type result struct {
		c     *replay.Cassette
		notes []Note
		err   error
	}
	done := make(chan result, 1) // buffered: an abandoned load does not block
	go func() {
		c, notes, err := load(ctx, path, f, opts, so)
		done <- result{c, notes, err}
	}()
	select {
	case r := <-done:
		return r.c, r.notes, r.err
	case <-ctx.Done():
		return nil, nil, interrupted(ctx, path)
	}
}

// interrupted is the error of a load ctx stopped, worded as replay's.
func interrupted(ctx context.Context, path string) error {
	return &Error{File: path, Entry: -1, Msg: fmt.Sprintf("interrupted while loading the cassette (%v)", context.Cause(ctx)), Err: ctx.Err()}
}

func load(ctx context.Context, path string, f Format, opts replay.LoadOptions, so scrub.Options) (*replay.Cassette, []Note, error) {
	if f == GoVCR {
		c, err := replay.LoadContext(ctx, path, opts)
		return c, nil, err
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = replay.DefaultMaxBytes
	}
	data, err := readCapped(path, limit)
	if err != nil {
		return nil, nil, err
	}
	if f == "" {
		if f, err = detect(path, data); err != nil {
			return nil, nil, err
		}
		if f == GoVCR {
			c, err := replay.ParseContext(ctx, path, data, opts)
			return c, nil, err
		}
	}
	if ctx.Err() != nil {
		return nil, nil, interrupted(ctx, path)
	}
	res, err := Convert(path, data, f)
	if err != nil {
		return nil, nil, err
	}
	if ctx.Err() != nil {
		return nil, nil, interrupted(ctx, path)
	}
	s := scrub.New(so)
	for _, in := range res.Cassette.Interactions {
		s.Interaction(in)
	}
	out, err := Encode(res.Cassette)
	if err != nil {
		return nil, nil, &Error{File: path, Entry: -1, Msg: err.Error(), Err: ErrInvalid}
	}
	// The input was within the cap; its conversion may be a little
	// larger (a JSON body written out again) and is not capped twice.
	opts.MaxBytes = max(limit, int64(len(out)))
	c, err := replay.ParseContext(ctx, path, out, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, interrupted(ctx, path)
		}
		return nil, nil, &Error{File: path, Entry: -1, Msg: "converted cassette does not load: " + err.Error(), Err: ErrInvalid}
	}
	return c, res.Notes, nil
}

// readCapped reads the regular file at path, up to max bytes. It opens
// with O_NONBLOCK, so that a named pipe with no writer does not block the
// open, and refuses what fstat says is not a regular file.
func readCapped(path string, max int64) ([]byte, error) {
	f, st, err := regfile.Open(path)
	if errors.Is(err, regfile.ErrNotRegular) {
		return nil, &Error{File: path, Entry: -1, Msg: err.Error(), Err: ErrInvalid}
	}
	if err != nil {
		return nil, fmt.Errorf("read recording: %w", err)
	}
	defer f.Close()
	if st.Size() > max {
		return nil, &Error{File: path, Entry: -1, Msg: fmt.Sprintf("the file is over the %d-byte cap", max), Err: ErrInvalid}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read recording %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, &Error{File: path, Entry: -1, Msg: fmt.Sprintf("the file is over the %d-byte cap", max), Err: ErrInvalid}
	}
	return data, nil
}
