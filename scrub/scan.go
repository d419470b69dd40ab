package scrub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/callbudget/callbudget/replay"
)

// Finding is one secret Scan found. It never holds the secret: only where
// it is, what it looks like, its public prefix and its length.
type Finding struct {
	File        string
	Line        int // the line the interaction starts on; 0 if unknown
	Interaction int
	// Field is where: "request.url", "request.headers.Authorization",
	// "response.body", "response.body (gzip)"…
	Field string
	Kind  string // "GitHub personal access token", "known secret", …
	// Prefix is the fixed, public start of the kind ("ghp_", "eyJ");
	// empty for known secrets and redact patterns, whose every character
	// is secret.
	Prefix string
	Length int
}

// String is "file:line: interaction 3: response.body: GitHub personal
// access token ghp_… (40 characters)"; never the value.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	fmt.Fprintf(&b, ": interaction %d: %s: %s ", f.Interaction, f.Field, f.Kind)
	fmt.Fprintf(&b, "%s… (%d characters)", f.Prefix, f.Length)
	return b.String()
}

// Scan reports the secrets left in c: token-shaped strings, known secrets
// and matches of the redact patterns, in every field of every
// interaction. Bodies are searched as they are, gzip-decoded, and
// base64-decoded (then gzip-decoded) when they are base64. A token-shaped
// string an Allow pattern matches is not reported. Findings are in
// interaction order; an empty result means the cassette is clean.
func Scan(c *replay.Cassette, o Options) []Finding {
	f, _ := ScanContext(context.Background(), c, o)
	return f
}

// ScanContext is Scan that stops between interactions once ctx is done,
// returning no findings and an error naming the file that wraps ctx.Err().
func ScanContext(ctx context.Context, c *replay.Cassette, o Options) ([]Finding, error) {
	if c == nil || c.Cassette == nil {
		return nil, nil
	}
	sc := &scanner{s: New(o), file: c.Path}
	for i, in := range c.Interactions {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: interrupted while scanning for secrets (%v): %w", c.Path, context.Cause(ctx), ctx.Err())
		}
		if in == nil {
			continue
		}
		sc.i, sc.line = i, c.Line(i)
		req, resp := &in.Request, &in.Response
		sc.url("request.url", req.URL)
		sc.url("request.request_uri", req.RequestURI)
		sc.text("request.host", req.Host)
		sc.headers("request.headers", req.Headers)
		sc.headers("request.trailer", req.Trailer)
		for _, k := range sortedKeys(req.Form) {
			for _, v := range req.Form[k] {
				sc.text("request.form."+k, v)
			}
		}
		sc.body("request.body", req.Body)
		sc.text("response.status", resp.Status)
		sc.headers("response.headers", resp.Headers)
		sc.headers("response.trailer", resp.Trailer)
		sc.body("response.body", resp.Body)
	}
	return sc.found, nil
}

type scanner struct {
	s       *Scrubber
	file    string
	i, line int
	found   []Finding
	seen    map[string]bool // field + kind + match, within one interaction
}

func (sc *scanner) add(field, kind, prefix, m string) {
	key := fmt.Sprintf("%d\x00%s\x00%s\x00%s", sc.i, field, kind, m)
	if sc.seen == nil {
		sc.seen = map[string]bool{}
	}
	if sc.seen[key] {
		return
	}
	sc.seen[key] = true
	sc.found = append(sc.found, Finding{File: sc.file, Line: sc.line, Interaction: sc.i,
		Field: field, Kind: kind, Prefix: prefix, Length: len(m)})
}

// text reports the secrets in one string.
func (sc *scanner) text(field, v string) {
	if v == "" {
		return
	}
	for _, f := range sc.s.forms {
		if strings.Contains(v, f) {
			sc.add(field, "known secret", "", f)
			v = strings.ReplaceAll(v, f, Placeholder)
		}
	}
	for _, re := range sc.s.o.Redact {
		for _, m := range re.FindAllString(v, -1) {
			if m != "" && m != Placeholder {
				sc.add(field, "match of redact pattern "+re.String(), "", m)
			}
		}
	}
	replaceShapes(v, func(sh shape, m string) string {
		if !sc.s.allowed(m) {
			sc.add(field, sh.kind, sh.prefix, m)
		}
		return Placeholder
	})
}

func (sc *scanner) url(field, v string) {
	sc.text(field, v)
	if dec, err := url.QueryUnescape(v); err == nil && dec != v {
		sc.text(field, dec)
	}
}

func (sc *scanner) headers(prefix string, h http.Header) {
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			sc.text(prefix+"."+k, v)
			if SensitiveHeader(k) {
				sc.credentialHeader(prefix+"."+k, v)
			}
		}
	}
}

func (sc *scanner) body(field, b string) {
	sc.text(field, b)
	if plain, ok := gunzip(b); ok {
		sc.text(field+" (gzip)", plain)
	}
	if dec, ok := debase64(b); ok {
		sc.text(field+" (base64)", dec)
		if plain, ok := gunzip(dec); ok {
			sc.text(field+" (base64, gzip)", plain)
		}
	}
}

// credentialHeader reports a credential header (Authorization, Cookie, …)
// that holds something long enough to be a real credential of any shape
// (a 40-hex classic token, a session cookie), unless it is the
// placeholder or an obvious dummy.
func (sc *scanner) credentialHeader(field, v string) {
	cred := strings.TrimSpace(v)
	if scheme, rest, ok := strings.Cut(cred, " "); ok && len(scheme) <= 10 {
		cred = strings.TrimSpace(rest)
	}
	low := strings.ToLower(cred)
	if len(cred) < 16 || strings.Contains(cred, Placeholder) || strings.Contains(low, "dummy") || strings.Contains(low, "fake") ||
		replaceShapes(cred, func(shape, string) string { return Placeholder }) != cred || sc.s.allowed(cred) {
		return // too short, scrubbed, a dummy, or already reported by text
	}
	sc.add(field, "credential in a credential header", "", cred)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
