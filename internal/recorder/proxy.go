package recorder

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// DefaultUpstream is where the proxy forwards when Options.Upstream is "".
const DefaultUpstream = "https://api.github.com"

// DefaultMaxBodyBytes caps each recorded request or response body unless
// Options says otherwise: the cassette is read back whole, and
// replay.Load refuses files over 64 MiB anyway.
const DefaultMaxBodyBytes = 64 << 20

// Errors a recording can fail with; Proxy.Err wraps them (test with
// errors.Is).
var (
	// ErrBodyTooLarge: a request or response body was over the cap.
	ErrBodyTooLarge = errors.New("body over the recording size cap")
	// ErrUpstream: the upstream could not be reached or broke off an
	// answer; the client got a 502.
	ErrUpstream = errors.New("upstream request failed")
)

// Options configures a Proxy.
type Options struct {
	// Upstream is the API's base URL: "https://api.github.com" (the
	// default), "https://ghe.example.com/api/v3", or a test server's.
	Upstream string
	// Uploads is the uploads base URL; "" derives it from Upstream (see
	// the package doc).
	Uploads string
	// Token, when set, is sent upstream as "Authorization: Bearer
	// <Token>" in place of whatever the client sent; when "", the
	// client's Authorization is dropped and requests go unauthenticated.
	Token string
	// Transport makes the upstream requests; nil is a clone of
	// http.DefaultTransport. It must not follow redirects (a Transport
	// never does).
	Transport http.RoundTripper
	// MaxBodyBytes caps each recorded body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Addr is the listen address; "" is a free port on 127.0.0.1.
	Addr string
	// Discard keeps neither interactions nor errors: a long-running
	// forwarding proxy (callbudget proxy) that would otherwise hold every
	// exchange in memory. Interactions and Err then return nothing.
	Discard bool
	// Handler, when set, wraps the forwarding handler: callbudget proxy
	// answers its own paths and groups calls into runs in front of it.
	// The context of the request it passes on is the upstream request's.
	Handler func(forward http.Handler) http.Handler
}

// Proxy is a running recording proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	opts     Options
	base     *url.URL // upstream base, no trailing slash
	uploads  *url.URL
	origin   string // upstream scheme://host
	url      string
	ln       net.Listener
	srv      *http.Server
	toClient *strings.Replacer // upstream URLs → the proxy's
	served   chan struct{}

	mu    sync.Mutex
	seq   int
	recs  map[int]*cassette.Interaction
	errs  []error
	close sync.Once
}

// New starts a recording proxy; Close stops it.
func New(opts Options) (*Proxy, error) {
	if opts.Upstream == "" {
		opts.Upstream = DefaultUpstream
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	base, err := parseBase("upstream", opts.Upstream)
	if err != nil {
		return nil, err
	}
	up := opts.Uploads
	if up == "" {
		up = defaultUploads(base)
	}
	uploads, err := parseBase("uploads URL", up)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("recording proxy: %w", err)
	}
	p := &Proxy{
		opts:    opts,
		base:    base,
		uploads: uploads,
		origin:  base.Scheme + "://" + base.Host,
		url:     "http://" + ln.Addr().String(),
		ln:      ln,
		recs:    map[int]*cassette.Interaction{},
		served:  make(chan struct{}),
	}
	p.toClient = newReplacer(map[string]string{
		uploads.String(): p.url + "/api/uploads",
		base.String():    p.url,
		p.origin:         p.url,
	})
	var h http.Handler = p
	if opts.Handler != nil {
		h = opts.Handler(p)
	}
	p.srv = &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}
	go func() {
		defer close(p.served)
		p.srv.Serve(ln) // returns ErrServerClosed on Close
	}()
	return p, nil
}

func parseBase(what, s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q is not an http(s) URL", what, s)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// defaultUploads is the uploads base for an API base: uploads.github.com
// for api.github.com, {origin}/api/uploads otherwise (GitHub Enterprise
// Server's shape).
func defaultUploads(base *url.URL) string {
	if strings.EqualFold(base.Host, "api.github.com") {
		return "https://uploads.github.com"
	}
	return base.Scheme + "://" + base.Host + "/api/uploads"
}

// newReplacer replaces the longest prefixes first, so that a base URL with
// a path wins over its bare origin.
func newReplacer(m map[string]string) *strings.Replacer {
	olds := make([]string, 0, len(m))
	for o := range m {
		olds = append(olds, o)
	}
	sort.Slice(olds, func(i, j int) bool {
		if len(olds[i]) != len(olds[j]) {
			return len(olds[i]) > len(olds[j])
		}
		return olds[i] < olds[j]
	})
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, m[o])
	}
	return strings.NewReplacer(pairs...)
}

// URL is the proxy's base URL ("http://127.0.0.1:41234"), what the
// command gets as GITHUB_API_URL.
func (p *Proxy) URL() string { return p.url }

// Close stops the proxy: it stops accepting, lets requests in flight
// finish until ctx ends, then cuts them off. Call it before Interactions,
// so that they are final.
func (p *Proxy) Close(ctx context.Context) error {
	var err error
	p.close.Do(func() {
		if err = p.srv.Shutdown(ctx); err != nil {
			p.srv.Close()
		}
		<-p.served
	})
	return err
}

// Interactions returns what was recorded, in the order the requests
// arrived, numbered from 0.
func (p *Proxy) Interactions() []*cassette.Interaction {
	p.mu.Lock()
	defer p.mu.Unlock()
	seqs := make([]int, 0, len(p.recs))
	for s := range p.recs {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	out := make([]*cassette.Interaction, 0, len(seqs))
	for i, s := range seqs {
		in := p.recs[s]
		in.ID = i
		out = append(out, in)
	}
	return out
}

// Err reports why the recording is not complete: every upstream failure
// and body over the cap, joined; nil when every request was recorded.
func (p *Proxy) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}

func (p *Proxy) fail(err error) {
	if p.opts.Discard {
		return
	}
	p.mu.Lock()
	p.errs = append(p.errs, err)
	p.mu.Unlock()
}

// hopHeaders are connection-level headers a proxy does not forward
// (RFC 9110, section 7.6.1).
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func dropHop(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, k := range strings.Split(f, ",") {
			h.Del(strings.TrimSpace(k))
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
}

// assetUpload is the path of a release asset upload, the one upload
// endpoint of the REST API.
var assetUpload = regexp.MustCompile(`^/repos/[^/]+/[^/]+/releases/[0-9]+/assets/?$`)

// target maps a request to the proxy onto the upstream URL it stands for.
func (p *Proxy) target(r *http.Request) *url.URL {
	path := r.URL.EscapedPath()
	var u url.URL
	switch {
	case path == "/api/uploads" || strings.HasPrefix(path, "/api/uploads/"):
		u = *p.uploads
		path = strings.TrimPrefix(path, "/api/uploads")
	case r.Method == http.MethodPost && assetUpload.MatchString(path):
		u = *p.uploads
	default:
		// A client that takes the proxy for GitHub Enterprise Server.
		if rest, ok := strings.CutPrefix(path, "/api/v3"); ok && (rest == "" || rest[0] == '/') {
			path = rest
		} else if path == "/api/graphql" {
			path = "/graphql"
		}
		u = *p.base
		if path == "/graphql" {
			// GitHub Enterprise Server serves GraphQL at /api/graphql,
			// beside /api/v3, not under it.
			if prefix, ok := strings.CutSuffix(u.Path, "/api/v3"); ok {
				u.Path, u.RawPath = prefix+"/api", ""
			}
		}
	}
	full := u.EscapedPath() + path
	if up, err := url.PathUnescape(full); err == nil {
		u.Path = up
		u.RawPath = full
	}
	u.RawQuery = r.URL.RawQuery
	return &u
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	seq := p.seq
	p.seq++
	p.mu.Unlock()

	max := p.opts.MaxBodyBytes
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		p.fail(fmt.Errorf("%s %s: read request body: %w", r.Method, r.URL.Path, err))
		http.Error(w, "callbudget record: cannot read the request body", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > max {
		p.fail(fmt.Errorf("%s %s: request %w (%d bytes)", r.Method, r.URL.Path, ErrBodyTooLarge, max))
		http.Error(w, "callbudget record: request body over the recording cap", http.StatusRequestEntityTooLarge)
		return
	}
	target := p.target(r)
	in := &cassette.Interaction{Request: cassette.Request{
		Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		ContentLength: int64(len(body)),
		Host:          target.Host,
		Body:          string(body),
		Headers:       r.Header.Clone(),
		URL:           target.String(),
		Method:        r.Method,
	}}
	dropHop(in.Request.Headers)
	if len(body) == 0 && r.ContentLength <= 0 {
		in.Request.ContentLength = 0
	}

	out, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), bytes.NewReader(body))
	if err != nil {
		p.fail(fmt.Errorf("%s %s: %w", r.Method, target, err))
		http.Error(w, "callbudget record: bad request URL", http.StatusBadRequest)
		return
	}
	if len(body) == 0 {
		out.Body, out.ContentLength = http.NoBody, 0
	}
	out.Header = r.Header.Clone()
	dropHop(out.Header)
	// The Transport asks for gzip and decodes it itself when the request
	// names no encoding: the cassette then holds text.
	out.Header.Del("Accept-Encoding")
	out.Header.Del("Authorization")
	if p.opts.Token != "" {
		out.Header.Set("Authorization", "Bearer "+p.opts.Token)
	}

	start := time.Now()
	resp, err := p.opts.Transport.RoundTrip(out)
	if err != nil {
		if r.Context().Err() == nil {
			p.fail(fmt.Errorf("%s %s: %w: %w", r.Method, target, ErrUpstream, err))
		} else {
			p.fail(fmt.Errorf("%s %s: client went away: %w", r.Method, target, r.Context().Err()))
		}
		http.Error(w, "callbudget record: upstream request failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()

	rec := resp.Header.Clone()
	dropHop(rec)
	var src io.Reader = resp.Body
	uncompressed, length := resp.Uncompressed, resp.ContentLength
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		// Sent compressed though not asked to: decode for both.
		zr, err := gzip.NewReader(resp.Body)
		if err == nil {
			defer zr.Close()
			src, uncompressed, length = zr, true, -1
			rec.Del("Content-Encoding")
			rec.Del("Content-Length")
		}
	}

	// The whole answer is read before the client gets it: its URLs are
	// rewritten to the proxy (a client such as PyGithub follows the
	// "url" fields of bodies), which changes its length.
	var buf bytes.Buffer
	n, err := io.Copy(&capWriter{buf: &buf, max: max}, src)
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		p.fail(fmt.Errorf("%s %s: response %w (%d bytes)", r.Method, target, ErrBodyTooLarge, max))
		http.Error(w, "callbudget record: response body over the recording cap", http.StatusBadGateway)
		return
	case err != nil:
		p.fail(fmt.Errorf("%s %s: reading the answer after %d bytes: %w: %w", r.Method, target, n, ErrUpstream, err))
		http.Error(w, "callbudget record: upstream broke off its answer", http.StatusBadGateway)
		return
	}
	toClient := buf.Bytes()
	if textual(rec.Get("Content-Type")) {
		toClient = []byte(p.toClient.Replace(buf.String()))
	}
	h := w.Header()
	for k, vs := range rec {
		h[k] = slices.Clone(vs)
	}
	for _, k := range []string{"Link", "Location", "Content-Location"} {
		for i, v := range h[k] {
			h[k][i] = p.toClient.Replace(v)
		}
	}
	if h.Get("Content-Length") != "" || uncompressed || len(toClient) != buf.Len() {
		h.Set("Content-Length", strconv.Itoa(len(toClient)))
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(toClient) // a client that went away is its own problem: the recording is complete
	in.Response = cassette.Response{
		Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		ContentLength: length,
		Uncompressed:  uncompressed,
		Body:          buf.String(),
		Headers:       rec,
		Status:        resp.Status,
		Code:          resp.StatusCode,
		Duration:      time.Since(start),
	}
	if p.opts.Discard {
		return
	}
	p.mu.Lock()
	p.recs[seq] = in
	p.mu.Unlock()
}

// textual reports whether a body of this Content-Type is text whose URLs
// the client may follow: JSON, text, or unnamed.
func textual(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.Contains(ct, "json") || strings.HasPrefix(ct, "text/") || strings.Contains(ct, "xml")
}

// capWriter keeps up to max bytes and fails past them.
type capWriter struct {
	buf *bytes.Buffer
	max int64
}

func (c *capWriter) Write(b []byte) (int, error) {
	if int64(c.buf.Len()+len(b)) > c.max {
		return 0, ErrBodyTooLarge
	}
	return c.buf.Write(b)
}
