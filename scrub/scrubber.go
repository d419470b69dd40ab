package scrub

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Options says what to scrub besides the built-in token shapes.
type Options struct {
	// Secrets are token values the caller knows (the real GITHUB_TOKEN and
	// GH_TOKEN): replaced wherever they appear, also URL- and
	// base64-encoded. Values shorter than 8 characters are ignored.
	Secrets []string
	// Redact are the user's patterns (the config's redact:): every match
	// is replaced.
	Redact []*regexp.Regexp
	// Allow are known false positives: a token-shaped string that one of
	// them matches is neither reported by Scan nor replaced. Known
	// Secrets are replaced regardless.
	Allow []*regexp.Regexp
	// URLCredential is what the value of a credential query parameter
	// (access_token=…) of a request URL becomes; Placeholder when empty.
	// A recorder sets it to the dummy token the command gets at replay, so
	// that the replayed request still matches the recorded one.
	URLCredential string
}

// Scrubber replaces secrets in interactions and strings. It is safe for
// concurrent use.
type Scrubber struct {
	o     Options
	forms []string // the known secrets in every encoding, longest first
}

// New returns a Scrubber for o.
func New(o Options) *Scrubber {
	return &Scrubber{o: o, forms: secretForms(o.Secrets)}
}

// Text returns s with every secret replaced by Placeholder: the known
// secrets, the user's patterns, token-shaped strings (unless allowed) and
// the values of credential parameters in URLs.
func (s *Scrubber) Text(str string) string {
	// A replacement cannot create a new secret (Placeholder holds no
	// token character), but a secret can hide another encoding of
	// itself; two passes settle any input, the loop is a backstop.
	for range 4 {
		next := s.text(str)
		if next == str {
			return next
		}
		str = next
	}
	return str
}

func (s *Scrubber) text(str string) string {
	for _, f := range s.forms {
		if strings.Contains(str, f) {
			str = strings.ReplaceAll(str, f, Placeholder)
		}
	}
	for _, re := range s.o.Redact {
		str = re.ReplaceAllLiteralString(str, Placeholder)
	}
	str = replaceShapes(str, func(_ shape, m string) string {
		if s.allowed(m) {
			return m
		}
		return Placeholder
	})
	if strings.ContainsAny(str, "?&") {
		str = credentialParamRE.ReplaceAllStringFunc(str, func(m string) string {
			sub := credentialParamRE.FindStringSubmatch(m)
			if isPlaceholder(sub[2]) {
				return m
			}
			return sub[1] + Placeholder
		})
	}
	return str
}

func isPlaceholder(v string) bool {
	return v == Placeholder || v == url.QueryEscape(Placeholder) || strings.EqualFold(v, "%5BREDACTED%5D")
}

func (s *Scrubber) allowed(m string) bool {
	for _, re := range s.o.Allow {
		if re.MatchString(m) {
			return true
		}
	}
	return false
}

// Interaction scrubs in in place, before it is written: the request's and
// response's headers and trailers, the request URL (credential query
// parameters and any token in it), form and body, and the response body.
// A gzip-encoded body is decoded, scrubbed and encoded again, and a
// Content-Length that gave the old size is updated.
func (s *Scrubber) Interaction(in *cassette.Interaction) {
	if in == nil {
		return
	}
	req, resp := &in.Request, &in.Response
	s.headers(req.Headers)
	s.headers(req.Trailer)
	s.headers(resp.Headers)
	s.headers(resp.Trailer)
	req.URL = s.URL(req.URL)
	req.RequestURI = s.URL(req.RequestURI)
	req.Host = s.Text(req.Host)
	for k, vs := range req.Form {
		for i, v := range vs {
			if isCredentialParam(k) {
				vs[i] = Placeholder
			} else {
				vs[i] = s.Text(v)
			}
		}
	}
	if isForm(req.Headers) {
		if body := s.query(req.Body, Placeholder); body != req.Body {
			fixLength(req.Headers, &req.ContentLength, len(req.Body), len(body))
			req.Body = body
		}
	}
	if body := s.body(req.Body); body != req.Body {
		fixLength(req.Headers, &req.ContentLength, len(req.Body), len(body))
		req.Body = body
	}
	if body := s.body(resp.Body); body != resp.Body {
		fixLength(resp.Headers, &resp.ContentLength, len(resp.Body), len(body))
		resp.Body = body
	}
}

func isForm(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

// fixLength keeps a body's recorded length true after scrubbing changed
// it; an unknown length (-1, or no header) stays unknown.
// Only a length that gave the old body's size is changed: one that did
// not was already not about this body.
func fixLength(h http.Header, n *int64, old, size int) {
	if *n == int64(old) && old > 0 {
		*n = int64(size)
	}
	if h != nil && h.Get("Content-Length") == strconv.Itoa(old) {
		h.Set("Content-Length", strconv.Itoa(size))
	}
}

func (s *Scrubber) headers(h http.Header) {
	for name, vs := range h {
		sensitive := SensitiveHeader(name)
		for i, v := range vs {
			if sensitive {
				vs[i] = Placeholder
			} else {
				vs[i] = s.Text(v)
			}
		}
	}
}

// URL scrubs a request URL: a password in it is replaced, the value of
// each credential query parameter becomes Options.URLCredential (the
// parameter stays, so the request still matches at replay), and tokens
// anywhere else are replaced. Parameters keep their order and, when
// untouched, their exact spelling.
func (s *Scrubber) URL(raw string) string {
	if raw == "" {
		return raw
	}
	base, query, hasQuery := strings.Cut(raw, "?")
	frag := ""
	if hasQuery {
		query, frag, _ = strings.Cut(query, "#")
	}
	if u, err := url.Parse(base); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Placeholder)
		} else {
			u.User = url.User(Placeholder)
		}
		base = u.String()
	}
	out := s.Text(base)
	if hasQuery {
		cred := s.o.URLCredential
		if cred == "" {
			cred = Placeholder
		}
		out += "?" + s.query(query, cred)
		if frag != "" {
			out += "#" + s.Text(frag)
		}
	}
	return out
}

// query scrubs a query string or form body pair by pair: credential
// parameters get cred, other values are scrubbed as text.
func (s *Scrubber) query(q, cred string) string {
	pairs := strings.Split(q, "&")
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && isCredentialParam(name) {
			if !isPlaceholder(v) && v != url.QueryEscape(cred) {
				pairs[i] = k + "=" + url.QueryEscape(cred)
			}
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			pairs[i] = s.Text(p)
			continue
		}
		if sv := s.Text(val); sv != val {
			v = url.QueryEscape(sv)
		}
		if sk := s.Text(name); sk != name {
			k = url.QueryEscape(sk)
		}
		if ok {
			pairs[i] = k + "=" + v
		} else {
			pairs[i] = k
		}
	}
	return strings.Join(pairs, "&")
}
