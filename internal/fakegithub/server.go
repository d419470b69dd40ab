package fakegithub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures a Server. The zero value serves api.github.com's
// shape at the root of a plain-HTTP loopback server.
type Options struct {
	// Prefix is the path the API is served under: "/api/v3" for GitHub
	// Enterprise Server's shape (GraphQL is then also served at
	// /api/graphql, as GHES does), or any other prefix, such as a proxy
	// would add. "" serves the API at the root, like api.github.com.
	Prefix string

	// TLS serves HTTPS with httptest's certificate; clients must then use
	// HTTPClient (or its Transport).
	TLS bool

	// PerPage is the page size of list endpoints when a request sends no
	// per_page; 0 means 30, GitHub's default. A per_page over 100 is read
	// as 100, as GitHub does.
	PerPage int

	// Files is how many files the default pull request changes; 0 means
	// 75, three pages at the default page size.
	Files int

	// RateLimit is the X-RateLimit-Limit of every resource; 0 means 5000.
	// Once a resource's used calls reach it, requests get GitHub's 403
	// "API rate limit exceeded" until the fake is thrown away.
	RateLimit int

	// Token, when set, is the only token accepted (as "token X" or
	// "Bearer X"), besides those of Logins; any other request gets 401 Bad
	// credentials. "" accepts every request, authenticated or not.
	Token string

	// Logins maps tokens to the login they authenticate as: GET /user
	// answers it, and the comments a request with that token creates are
	// authored by it ("github-actions[bot]" for a GITHUB_TOKEN). Its tokens
	// are accepted even when Token is set. Any other request acts as Login.
	Logins map[string]string

	// MaxCommentBody is the longest comment body, in characters, that
	// creating or editing a comment accepts; a longer one gets GitHub's 422
	// "Body is too long". 0 means 65536, GitHub's limit.
	MaxCommentBody int
}

// The default data every Server starts with: one repository with one open
// pull request whose head commit holds a Packit-style config file.
const (
	Owner      = "octo-org"
	Repo       = "hello-world"
	PullNumber = 1
	HeadRef    = "feature"
	HeadSHA    = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	BaseRef    = "main"
	BaseSHA    = "e5bd3914e2e596debea16f433f57875b5b90bcd6"
	ConfigPath = ".packit.yaml"
	Login      = "octocat"
)

// ConfigContent is the content of ConfigPath at HeadSHA and on BaseRef.
const ConfigContent = "specfile_path: hello.spec\njobs:\n  - job: copr_build\n    trigger: pull_request\n"

// Request is one request the Server received.
type Request struct {
	Method string
	// Path is the URL path without Options.Prefix, still escaped as sent
	// ("/repos/octo-org/hello-world/pulls/1").
	Path     string
	RawQuery string
	Header   http.Header
	Body     string
}

// Server is a running fake GitHub. Its methods are safe for concurrent
// use, including while clients call it.
type Server struct {
	opts   Options
	srv    *httptest.Server
	mux    *http.ServeMux
	reset  int64 // X-RateLimit-Reset, fixed for the server's life
	prefix string

	mu       sync.Mutex
	repos    map[string]*repo // by "owner/name"
	oldNames map[string]*repo // former "owner/name"s, redirected
	requests []Request
	used     map[string]int
	lastID   int64
	seq      int
	faults   []*fault
	readOnly bool
	hooks    []*hook
	paused   []*Paused
}

// New starts a fake GitHub for the test; it is closed when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.PerPage <= 0 {
		opts.PerPage = 30
	}
	if opts.PerPage > maxPerPage {
		opts.PerPage = maxPerPage
	}
	if opts.Files <= 0 {
		opts.Files = 75
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	if opts.MaxCommentBody <= 0 {
		opts.MaxCommentBody = maxCommentBody
	}
	s := &Server{
		opts:     opts,
		prefix:   cleanPrefix(opts.Prefix),
		mux:      http.NewServeMux(),
		reset:    time.Now().Add(time.Hour).Unix(),
		repos:    map[string]*repo{},
		oldNames: map[string]*repo{},
		used:     map[string]int{},
		lastID:   1000,
	}
	s.routes()
	s.seed()
	if opts.TLS {
		s.srv = httptest.NewTLSServer(s.mux)
	} else {
		s.srv = httptest.NewServer(s.mux)
	}
	// Cleanups run last first: held requests go before Close waits for
	// them.
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.releaseAll)
	return s
}

func cleanPrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// URL is the API's base URL: the server's origin, the Prefix and a
// trailing slash ("http://127.0.0.1:41234/api/v3/"), which is what
// go-github wants as BaseURL.
func (s *Server) URL() string { return s.srv.URL + s.prefix + "/" }

// Origin is the server's scheme and host, with no path
// ("http://127.0.0.1:41234"): what absolute URLs in Link headers and
// bodies start with.
func (s *Server) Origin() string { return s.srv.URL }

// HTTPClient returns a client that trusts the server's certificate when
// Options.TLS is set.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close shuts the server down before the test ends; it is safe to call
// more than once. Requests held by Pause are released first.
func (s *Server) Close() {
	s.releaseAll()
	s.srv.Close()
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// fault is a failure injected with Fail or FailWith.
type fault struct {
	method, pathPrefix string
	answer             Fault
	left               int
}

// Fault is the answer FailWith injects. Zero fields take the defaults of
// Fail for Status.
type Fault struct {
	Status int
	// Message is GitHub's error message ("Resource not accessible by
	// integration"); "" is Fail's message for Status.
	Message string
	// DocumentationURL is the error body's documentation_url; "" is
	// Fail's for Status.
	DocumentationURL string
	// Header is added to the answer and wins over the fake's own headers,
	// so a fault can set Retry-After, or X-RateLimit-Remaining: 0 with its
	// X-RateLimit-Reset. A 403 or 429 with a nil Header answers
	// Retry-After: 60, as Fail does.
	Header http.Header
	// Errors are the error body's errors (a 422's validation errors).
	Errors []FieldError
	// Drop closes the connection without answering, as a connection
	// reset or a proxy giving up does; the other fields are ignored. A
	// dropped request is kept in Requests but not charged.
	Drop bool
}

// FieldError is one entry of a GitHub error body's errors.
type FieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

// Fail makes the next times requests whose method is method ("" for any)
// and whose path without the Prefix starts with pathPrefix answer status
// with GitHub's error body. 403 and 429 answer as GitHub's secondary rate
// limit does, with Retry-After: 60. Failed requests are still kept in
// Requests and use up the rate limit.
func (s *Server) Fail(method, pathPrefix string, status, times int) {
	s.FailWith(method, pathPrefix, times, Fault{Status: status})
}

// FailWith is Fail with the answer spelled out: the message, the
// documentation URL, headers and validation errors of f.
func (s *Server) FailWith(method, pathPrefix string, times int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: strings.ToUpper(method), pathPrefix: pathPrefix, answer: f, left: times})
}

// SetReadOnly makes every write (any method but GET and HEAD, GraphQL
// aside) answer GitHub's 403 "Resource not accessible by integration", as
// it does for the read-only GITHUB_TOKEN of a pull request from a fork.
func (s *Server) SetReadOnly(readOnly bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = readOnly
}

// takeFault returns the first live fault matching r, if any.
func (s *Server) takeFault(method, path string) (Fault, bool) {
	for _, f := range s.faults {
		if f.left > 0 && (f.method == "" || f.method == method) && strings.HasPrefix(path, f.pathPrefix) {
			f.left--
			return f.answer, true
		}
	}
	return Fault{}, false
}

// reply is what a handler answers; respond turns it into HTTP.
type reply struct {
	status int
	body   any // marshalled as JSON; nil for no body
	header http.Header
}

// handler answers one request; it runs with s.mu held.
type handler func(r *http.Request, body []byte) reply

// endpoint says how a route is charged against the rate limit.
type endpoint struct {
	resource string
	free     bool // /rate_limit is not charged
}

var (
	core    = endpoint{resource: "core"}
	graphql = endpoint{resource: "graphql"}
	free    = endpoint{resource: "core", free: true}
)

func (s *Server) handle(pattern string, ep endpoint, h handler) {
	method, path, _ := strings.Cut(pattern, " ")
	s.mux.HandleFunc(method+" "+s.prefix+path, func(w http.ResponseWriter, r *http.Request) {
		s.respond(w, r, ep, h)
	})
}

const (
	docsRoot          = "https://docs.github.com/rest"
	primaryLimitDocs  = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
	secondaryLimitDoc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	maxPerPage        = 100
	maxCommentBody    = 65536
	readOnlyMessage   = "Resource not accessible by integration"
)

func (s *Server) respond(w http.ResponseWriter, r *http.Request, ep endpoint, h handler) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	path := strings.TrimPrefix(r.URL.EscapedPath(), s.prefix)
	if path == "" {
		path = "/"
	}
	req := Request{
		Method: r.Method, Path: path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: string(body),
	}
	s.intercept(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.seq++

	var rep reply
	limited := false
	f, faulted := s.takeFault(r.Method, path)
	switch {
	case faulted && f.Drop:
		drop(w)
		return
	case faulted:
		rep = faultReply(f)
	case !s.authorized(r):
		rep = errorReply(http.StatusUnauthorized, "Bad credentials", docsRoot)
	case !ep.free && s.used[ep.resource] >= s.opts.RateLimit:
		rep = errorReply(http.StatusForbidden, "API rate limit exceeded for user ID 1.", primaryLimitDocs)
		limited = true
	case s.readOnly && r.Method != http.MethodGet && r.Method != http.MethodHead && ep.resource != "graphql":
		rep = errorReply(http.StatusForbidden, readOnlyMessage, docsRoot)
	default:
		rep = h(r, body)
	}

	var data []byte
	if rep.body != nil {
		var err error
		if data, err = json.Marshal(rep.body); err != nil {
			rep = errorReply(http.StatusInternalServerError, "fakegithub: "+err.Error(), docsRoot)
			data, _ = json.Marshal(rep.body)
		}
	}
	hdr := w.Header()
	if r.Method == http.MethodGet && rep.status == http.StatusOK && data != nil {
		sum := sha256.Sum256(data)
		etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
		hdr.Set("ETag", etag)
		hdr.Set("Cache-Control", "private, max-age=60, s-maxage=60")
		if etagMatch(r.Header.Get("If-None-Match"), etag) {
			rep.status, data = http.StatusNotModified, nil
		}
	}
	// GitHub does not charge a 304 answer to a conditional request.
	if !ep.free && !limited && rep.status != http.StatusNotModified {
		s.used[ep.resource]++
	}
	used := min(s.used[ep.resource], s.opts.RateLimit)
	hdr.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
	hdr.Set("X-RateLimit-Remaining", strconv.Itoa(s.opts.RateLimit-used))
	hdr.Set("X-RateLimit-Used", strconv.Itoa(used))
	hdr.Set("X-RateLimit-Reset", strconv.FormatInt(s.reset, 10))
	hdr.Set("X-RateLimit-Resource", ep.resource)
	hdr.Set("X-GitHub-Request-Id", fmt.Sprintf("FA4E:%04X:%06X:%06X:%08X", s.seq%0x10000, s.seq*7, s.seq*13, s.seq))
	hdr.Set("X-GitHub-Media-Type", "github.v3; format=json")
	hdr.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	// A handler's or a fault's own headers win: a fault may answer
	// X-RateLimit-Remaining: 0.
	for k, v := range rep.header {
		hdr[k] = v
	}
	if data != nil {
		hdr.Set("Content-Length", strconv.Itoa(len(data)))
	}
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead && data != nil {
		w.Write(data)
	}
}

// drop closes the request's connection without an answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// etagMatch implements If-None-Match's weak comparison.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for c := range strings.SplitSeq(header, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || strings.TrimPrefix(c, "W/") == want {
			return true
		}
	}
	return false
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	tok, ok := token(r)
	if !ok {
		return false
	}
	_, known := s.opts.Logins[tok]
	return tok == s.opts.Token || known
}

// token is the request's token, if it sends one.
func token(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	for _, scheme := range []string{"token ", "Bearer ", "bearer "} {
		if tok, ok := strings.CutPrefix(a, scheme); ok {
			return tok, true
		}
	}
	return "", false
}

// login is who the request authenticates as: its token's entry in
// Options.Logins, else Login.
func (s *Server) login(r *http.Request) string {
	if tok, ok := token(r); ok {
		if l, ok := s.opts.Logins[tok]; ok {
			return l
		}
	}
	return Login
}

func errorReply(status int, msg, docs string) reply {
	return reply{status: status, body: map[string]any{"message": msg, "documentation_url": docs, "status": strconv.Itoa(status)}}
}

// faultReply is GitHub's answer for f. A 403 or 429 with no Message of
// its own is the secondary rate limit, with Retry-After: 60 unless f sets
// its own headers.
func faultReply(f Fault) reply {
	msg, docs := http.StatusText(f.Status), docsRoot
	var hdr http.Header
	switch {
	case f.Message != "":
		msg = f.Message
	case f.Status == http.StatusForbidden || f.Status == http.StatusTooManyRequests:
		msg, docs = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", secondaryLimitDoc
		hdr = http.Header{"Retry-After": {"60"}}
	case f.Status >= 500:
		msg = "Server Error"
	}
	if f.DocumentationURL != "" {
		docs = f.DocumentationURL
	}
	if f.Header != nil {
		hdr = f.Header.Clone()
	}
	rep := errorReply(f.Status, msg, docs)
	if len(f.Errors) > 0 {
		rep.body.(map[string]any)["errors"] = f.Errors
	}
	rep.header = hdr
	return rep
}

func notFound(*http.Request, []byte) reply {
	return errorReply(http.StatusNotFound, "Not Found", docsRoot)
}

func validationFailed(resource, field, code string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message":           "Validation Failed",
		"errors":            []any{map[string]any{"resource": resource, "field": field, "code": code}},
		"documentation_url": docsRoot,
		"status":            "422",
	}}
}

// decodeJSON reads a request body into v; the reply is GitHub's 400 when
// the body is not JSON.
func decodeJSON(body []byte, v any) (reply, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsRoot), false
	}
	return reply{}, true
}

// page slices a list of n items for r's page and per_page and builds
// GitHub's Link header. Its URLs are absolute, back to this server, and in
// the by-ID form GitHub pages in, whichever form r used: byID is the list's
// path in that form, without the Prefix ("/repositories/1001/pulls/1/files",
// "/user/1/repos", "/organizations/8111/repos"). The query is r's, in r's
// order, with page set where r had it or appended: a request for
// ?per_page=100 is sent on to ?per_page=100&page=2, as GitHub does.
func (s *Server) page(r *http.Request, n int, byID string) (lo, hi int, header http.Header) {
	q := r.URL.Query()
	per := s.opts.PerPage
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, maxPerPage)
	}
	pg := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 1 {
		pg = v
	}
	last := max(1, (n+per-1)/per)
	lo = min((pg-1)*per, n)
	hi = min(lo+per, n)

	link := func(p int, rel string) string {
		return "<" + s.api("%s", byID) + "?" + withPage(r.URL.RawQuery, p) + `>; rel="` + rel + `"`
	}
	var links []string
	if pg > 1 {
		links = append(links, link(min(pg-1, last), "prev"))
	}
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		header = http.Header{"Link": {strings.Join(links, ", ")}}
	}
	return lo, hi, header
}

// withPage is the raw query with page=p: the first page pair's value
// replaced and any other page pair dropped, or page=p appended; every
// other pair is kept as sent, in its place.
func withPage(rawQuery string, p int) string {
	var out []string
	set := false
	for pair := range strings.SplitSeq(rawQuery, "&") {
		key, _, _ := strings.Cut(pair, "=")
		switch {
		case pair == "":
			continue
		case key == "page" && set:
			continue
		case key == "page":
			pair, set = "page="+strconv.Itoa(p), true
		}
		out = append(out, pair)
	}
	if !set {
		out = append(out, "page="+strconv.Itoa(p))
	}
	return strings.Join(out, "&")
}
