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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
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
	// ErrCARefused: a client refused the certificate of the interception
	// CA for a GitHub host (it does not trust the CA bundle it was given,
	// or pins GitHub's certificates); its calls did not happen.
	ErrCARefused = errors.New("a client refused the interception CA's certificate (make it trust the CA bundle: SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or NODE_EXTRA_CA_CERTS; or give it the proxy as its base URL, GITHUB_API_URL)")
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
	// Requests decrypted from a CONNECT go through it too.
	Handler func(forward http.Handler) http.Handler

	// CA, when set, has the proxy answer CONNECT (a client's HTTPS_PROXY)
	// on its listener: a CONNECT to a GitHub API host (see Hosts) is
	// decrypted with a leaf certificate of CA and each request in it is
	// forwarded, recorded and counted as a plain one (see the package
	// doc); a CONNECT to any other host is tunnelled untouched. When nil,
	// a CONNECT to a GitHub API host is refused (403, NoCA) and other
	// hosts are still tunnelled.
	CA *intercept.CA
	// Hosts are the hosts decrypted besides api.github.com and
	// uploads.github.com (GitHub Enterprise Server hosts). The
	// upstream's own host is one of them when the upstream is an https
	// URL of a host other than api.github.com on port 443.
	Hosts []string
	// NoCA is the text of the 403 a CONNECT to a GitHub API host gets
	// when CA is nil.
	NoCA string
	// HandshakeFailed, when set, is told of each client that refused the
	// CA's certificate (an error wrapping ErrCARefused), also in Discard
	// mode; outside Discard mode Err reports them too.
	HandshakeFailed func(error)
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
	toClient *rewrite // upstream URLs → the proxy's
	// toClientV3 is toClient for a client that calls the proxy as GitHub
	// Enterprise Server (under /api/v3): its URLs keep the prefix, as
	// PyGithub checks that every URL it follows starts with its base URL.
	toClientV3 *rewrite
	faces      map[string]*face // decrypted hosts → how their clients see the API
	ic         *intercept.Proxy
	handshakes sync.WaitGroup // CONNECTs being decrypted
	served     chan struct{}

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
	p.toClient = newRewrite(
		uploads.String(), p.url+"/api/uploads",
		p.origin, p.url,
		base.String(), p.url,
	)
	p.toClientV3 = newRewrite(
		uploads.String(), p.url+"/api/uploads",
		p.origin, p.url,
		base.String(), p.url+"/api/v3",
	)
	var h http.Handler = p
	if opts.Handler != nil {
		h = opts.Handler(p)
	}
	p.faces = faces(base, uploads, p.origin, opts.Hosts)
	if opts.CA != nil {
		p.ic = &intercept.Proxy{
			CA:        opts.CA,
			Intercept: p.decrypts,
			Handler:   h,
			Other:     intercept.Tunnel,
		}
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			p.connect(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}), ReadHeaderTimeout: time.Minute}
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
		if p.ic != nil {
			hs := make(chan struct{})
			go func() { p.handshakes.Wait(); close(hs) }()
			select {
			case <-hs:
			case <-ctx.Done():
			}
			if ierr := p.ic.Shutdown(ctx); ierr != nil {
				p.ic.Close()
				err = errors.Join(err, ierr)
			}
		}
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
	return p.under(&u, path, r.URL.RawQuery)
}

// under is base with the escaped path added to its own, and query.
func (p *Proxy) under(base *url.URL, path, query string) *url.URL {
	u := *base
	full := u.EscapedPath() + path
	if up, err := url.PathUnescape(full); err == nil {
		u.Path = up
		u.RawPath = full
	}
	u.RawQuery = query
	return &u
}

// view is what one request is to the client: the URL it meant, and the
// rewriting of upstream URLs in the answer it gets.
type view struct {
	url, host string   // recorded as the request's URL and host
	toClient  *rewrite // upstream URLs → the client's
	// recordClient records the answer as the client got it (the
	// decrypted face: what api.github.com would have answered), not as
	// the upstream sent it (the plain face, whose client sees the proxy's
	// URLs).
	recordClient bool
}

// view maps a request onto the upstream URL it stands for, and says how
// its client sees the API.
func (p *Proxy) view(r *http.Request) (*url.URL, view) {
	if info, ok := intercept.FromContext(r.Context()); ok {
		if f := p.faces[info.Host]; f != nil {
			target := p.target(r)
			if f.uploadsHost {
				target = p.under(p.uploads, r.URL.EscapedPath(), r.URL.RawQuery)
			}
			return target, view{
				url:          "https://" + info.Host + r.URL.RequestURI(),
				host:         info.Host,
				toClient:     f.toClient,
				recordClient: true,
			}
		}
	}
	target := p.target(r)
	v := view{url: target.String(), host: target.Host, toClient: p.toClient}
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v3"); ok && (rest == "" || rest[0] == '/') {
		v.toClient = p.toClientV3
	}
	return target, v
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.opts.Discard {
		p.forward(w, r)
		return
	}
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
	target, v := p.view(r)
	in := &cassette.Interaction{Request: cassette.Request{
		Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		ContentLength: int64(len(body)),
		Host:          v.host,
		Body:          string(body),
		Headers:       r.Header.Clone(),
		URL:           v.url,
		Method:        r.Method,
	}}
	dropHop(in.Request.Headers)
	if len(body) == 0 && r.ContentLength <= 0 {
		in.Request.ContentLength = 0
	}

	out, err := p.upstreamRequest(r, target, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		p.fail(fmt.Errorf("%s %s: %w", r.Method, target, err))
		http.Error(w, "callbudget record: bad request URL", http.StatusBadRequest)
		return
	}

	start := time.Now()
	resp, err := p.opts.Transport.RoundTrip(out)
	if err != nil {
		p.upstreamFailed(w, r, target, err)
		return
	}
	defer resp.Body.Close()

	rec, src, uncompressed, length, closeSrc := decoded(resp)
	defer closeSrc()

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
	if textual(rec.Get("Content-Type")) && !v.toClient.empty() {
		toClient = []byte(v.toClient.String(buf.String()))
	}
	h := w.Header()
	for k, vs := range rec {
		h[k] = slices.Clone(vs)
	}
	rewriteHeaders(h, v.toClient)
	if h.Get("Content-Length") != "" || uncompressed || len(toClient) != buf.Len() {
		h.Set("Content-Length", strconv.Itoa(len(toClient)))
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(toClient) // a client that went away is its own problem: the recording is complete
	recBody := buf.String()
	if v.recordClient {
		// What api.github.com would have answered: the client's view.
		recBody = string(toClient)
		rewriteHeaders(rec, v.toClient)
		if length >= 0 {
			length = int64(len(recBody))
		}
		if rec.Get("Content-Length") != "" {
			rec.Set("Content-Length", strconv.Itoa(len(recBody)))
		}
	}
	in.Response = cassette.Response{
		Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		ContentLength: length,
		Uncompressed:  uncompressed,
		Body:          recBody,
		Headers:       rec,
		Status:        resp.Status,
		Code:          resp.StatusCode,
		Duration:      time.Since(start),
	}
	p.mu.Lock()
	p.recs[seq] = in
	p.mu.Unlock()
}

// forward is ServeHTTP in Discard mode (callbudget proxy): nothing is
// kept, and both bodies stream through, whatever their size: the request's
// straight to the upstream, the answer to the client as it comes, its URLs
// rewritten on the way when it is text.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	target, v := p.view(r)
	out, err := p.upstreamRequest(r, target, r.Body, r.ContentLength)
	if err != nil {
		http.Error(w, "callbudget proxy: bad request URL", http.StatusBadRequest)
		return
	}
	resp, err := p.opts.Transport.RoundTrip(out)
	if err != nil {
		p.upstreamFailed(w, r, target, err)
		return
	}
	defer resp.Body.Close()
	rec, src, _, _, closeSrc := decoded(resp)
	defer closeSrc()

	h := w.Header()
	for k, vs := range rec {
		h[k] = slices.Clone(vs)
	}
	rewriteHeaders(h, v.toClient)
	rewriteBody := textual(rec.Get("Content-Type")) && !v.toClient.empty()
	if rewriteBody {
		h.Del("Content-Length") // the length changes: chunked, or until close
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead || !bodyAllowed(resp.StatusCode) {
		return
	}
	var dst io.Writer = newFlushWriter(w)
	var rw io.WriteCloser
	if rewriteBody {
		rw = v.toClient.Writer(dst)
		dst = rw
	}
	_, err = io.Copy(dst, src)
	if err == nil && rw != nil {
		err = rw.Close()
	}
	if err != nil {
		// The status line is gone: cut the connection, so that the
		// client sees a broken answer, not a short one that ends well.
		panic(http.ErrAbortHandler)
	}
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// upstreamRequest is the request to the upstream for r: its headers
// without the hop-by-hop ones and the client's Authorization, with the
// token's in its place.
func (p *Proxy) upstreamRequest(r *http.Request, target *url.URL, body io.Reader, length int64) (*http.Request, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), body)
	if err != nil {
		return nil, err
	}
	out.ContentLength = length
	if length == 0 {
		out.Body, out.GetBody = http.NoBody, nil
	}
	out.Header = r.Header.Clone()
	dropHop(out.Header)
	// The Transport asks for gzip and decodes it itself when the request
	// names no encoding: the cassette then holds text, and the proxy can
	// rewrite it.
	out.Header.Del("Accept-Encoding")
	out.Header.Del("Authorization")
	if p.opts.Token != "" {
		out.Header.Set("Authorization", "Bearer "+p.opts.Token)
	}
	return out, nil
}

func (p *Proxy) upstreamFailed(w http.ResponseWriter, r *http.Request, target *url.URL, err error) {
	if r.Context().Err() == nil {
		p.fail(fmt.Errorf("%s %s: %w: %w", r.Method, target, ErrUpstream, err))
	} else {
		p.fail(fmt.Errorf("%s %s: client went away: %w", r.Method, target, r.Context().Err()))
	}
	http.Error(w, "callbudget: upstream request failed: "+err.Error(), http.StatusBadGateway)
}

// decoded is the answer's headers (hop-by-hop ones dropped) and body, gzip
// decoded when the upstream sent it compressed though not asked to.
func decoded(resp *http.Response) (h http.Header, body io.Reader, uncompressed bool, length int64, closeBody func()) {
	h = resp.Header.Clone()
	dropHop(h)
	body, uncompressed, length, closeBody = resp.Body, resp.Uncompressed, resp.ContentLength, func() {}
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		if zr, err := gzip.NewReader(resp.Body); err == nil {
			body, uncompressed, length, closeBody = zr, true, -1, func() { zr.Close() }
			h.Del("Content-Encoding")
			h.Del("Content-Length")
		}
	}
	return h, body, uncompressed, length, closeBody
}

// rewriteHeaders rewrites the URLs of the headers a client follows.
func rewriteHeaders(h http.Header, w *rewrite) {
	if w.empty() {
		return
	}
	for _, k := range []string{"Link", "Location", "Content-Location"} {
		for i, v := range h[k] {
			h[k][i] = w.String(v)
		}
	}
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
