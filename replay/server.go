package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
)

// Server is a real HTTP server on loopback that answers from a cassette
// and counts every request, for clients in any process or language. It has
// two faces on one listener, over one matcher and one set of counters, so
// a request counts the same whichever way it comes in:
//
//   - the plain face, for clients given a base URL: point go-github
//     (WithEnterpriseURLs), PyGithub (base_url) or octokit (baseUrl) at
//     URL(). Recorded API origins in bodies and Link and Location headers
//     are rewritten to URL() (unless Options.KeepURLs), so that clients
//     following absolute URLs stay on the replay.
//   - the interception face, for clients that always call
//     https://api.github.com (PyGithub with no base URL, gh on its default
//     host, a script with the URL written into it): URL() is also an
//     HTTPS proxy. A CONNECT to api.github.com, uploads.github.com or one
//     of Options.InterceptHosts (a GitHub Enterprise host, for gh with
//     GH_HOST) on port 443 is answered with TLS, with a certificate for
//     that host from CA(), and its requests are answered exactly as
//     recorded: nothing is rewritten. A CONNECT to any other host is
//     refused with 403 and counted in Counts.Refused: replay has no
//     network. Give the client HTTPS_PROXY=URL() and a CA bundle holding
//     CA() (CA().WriteBundle), as the runner does.
//
// Safe for concurrent use.
type Server struct {
	e      *engine
	url    string
	ln     net.Listener
	srv    *http.Server
	ca     *intercept.CA
	proxy  *intercept.Proxy // nil when the interception face is off
	ctx    context.Context  // canceled by Close: ends CONNECTs in their handshake
	cancel context.CancelFunc
	// connects counts CONNECTs being answered: Close lets the handshakes
	// of clients already gone finish, as a refusal of the CA is in what
	// they sent last.
	connects inflight
	done     chan struct{}
	once     sync.Once
	err      error
}

// NewServer loads nothing and listens at once: on Options.Addr, by default
// a free port on 127.0.0.1. With the interception face on (the default)
// the address must be a loopback one, and a CA is made unless Options.CA
// gives one. Close it when done.
func NewServer(c *Cassette, opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ca := opts.CA
	if !opts.NoIntercept && ca == nil {
		var err error
		if ca, err = intercept.NewCA(0); err != nil {
			return nil, fmt.Errorf("replay server: make the interception CA: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("replay server: listen on %s: %w", addr, err)
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !opts.NoIntercept && (!ok || !ta.IP.IsLoopback()) {
		ln.Close()
		return nil, fmt.Errorf("replay server: listen on %s: the interception face listens on loopback only (set NoIntercept to serve elsewhere)", addr)
	}
	s := &Server{ln: ln, url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var rw *rewriter
	if !opts.KeepURLs {
		rw = newRewriter(c, s.url)
	}
	s.e = newEngine(c, opts, rw, false)
	if !opts.NoIntercept {
		s.ca = ca
		s.proxy = &intercept.Proxy{
			CA:        ca,
			Intercept: intercept.GitHubHosts(opts.InterceptHosts...),
			Handler:   http.HandlerFunc(s.serveDecrypted),
			Other:     s.refuse,
		}
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// CA is the interception face's CA, whose certificate a client must trust
// (CA().WriteBundle writes it with the system's roots); nil when the face
// is off.
func (s *Server) CA() *intercept.CA { return s.ca }

// URL is the server's base URL, such as http://127.0.0.1:41234, with no
// trailing slash: what a client takes as its API base URL.
func (s *Server) URL() string { return s.url }

// Counts reports what has been counted so far.
func (s *Server) Counts() Counts { return s.e.counts(false) }

// Close stops the server at once, dropping open connections, and waits for
// it to stop. Counts stay readable afterwards.
func (s *Server) Close() error {
	s.once.Do(func() {
		if err := s.srv.Close(); err != nil && s.err == nil {
			s.err = err
		}
		s.connects.wait(closeGrace)
		s.cancel()
		if s.proxy != nil {
			s.proxy.Close()
		}
		<-s.done
	})
	return s.err
}

// Shutdown stops the server gracefully: no new connections, in-flight
// requests finish, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if s.proxy != nil {
		if perr := s.proxy.Shutdown(ctx); err == nil {
			err = perr
		}
	}
	s.once.Do(func() {
		s.connects.wait(closeGrace)
		s.cancel()
		<-s.done
	})
	if err != nil {
		return err
	}
	return s.err
}

// ServeHTTP answers one request from the cassette, or a CONNECT.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		s.connect(w, r)
		return
	}
	a, _ := s.e.match(request{method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, header: r.Header, body: r.Body})
	if a == nil {
		writeUnmatched(w)
		return
	}
	serve(w, r, a.code, a.header, a.body, a.clen)
}

// serveDecrypted answers a request of the interception face, exactly as
// recorded.
func (s *Server) serveDecrypted(w http.ResponseWriter, r *http.Request) {
	info, _ := intercept.FromContext(r.Context())
	a, _ := s.e.match(request{method: r.Method, host: info.Host, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, header: r.Header, body: r.Body})
	// Over HTTP/2, answering before the request body is all read resets
	// the stream, which curl (7.88) reports as an error even after a
	// complete answer; GitHub reads what it is sent.
	io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
	if a == nil {
		writeUnmatched(w)
		return
	}
	serve(w, r, a.code, a.rawHeader, a.rawBody, a.rawClen)
}

// maxDrain bounds what the interception face reads of a request body it
// does not use.
const maxDrain = 64 << 20

func serve(w http.ResponseWriter, r *http.Request, code int, header http.Header, body string, clen []string) {
	// Recorded values are never modified after preparation, so the
	// header map can share them.
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	if bodyAllowed(code) {
		h["Content-Length"] = clen
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead && bodyAllowed(code) && body != "" {
		io.WriteString(w, body)
	}
}

func writeUnmatched(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range unmatchedHeader() {
		h[k] = v
	}
	h["Content-Length"] = []string{strconv.Itoa(len(unmatchedBody))}
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, unmatchedBody)
}

// connect answers a CONNECT: decrypted for a GitHub host when the
// interception face is on, refused otherwise.
func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	s.connects.add()
	defer s.connects.done()
	if s.proxy == nil {
		s.refuse(w, r, "")
		return
	}
	s.proxy.ServeConnectChecked(w, r, func(he *intercept.HandshakeError) {
		if he.RefusedCertificate() {
			s.e.refuseCA(he.Host)
		}
	})
}

// refuse answers the CONNECT r with 403 and counts it, by host (and port,
// unless 443). It is the proxy's Other: hostport is the target it parsed
// from r, as ConnectTarget does here.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, _ string) {
	host, port := intercept.ConnectTarget(r)
	name := host
	if port != "443" {
		name = net.JoinHostPort(host, port)
	}
	s.e.refuse(name)
	intercept.Refuse(w, name)
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// closeGrace bounds how long Close waits for the TLS handshakes in
// progress: the command is gone by then, so each ends at once with what
// its client sent last.
const closeGrace = 2 * time.Second

// inflight counts what is in progress, for a bounded wait until none is.
type inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0; nil when nobody waits
}

func (f *inflight) add() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
}

func (f *inflight) done() {
	f.mu.Lock()
	f.n--
	if f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
	f.mu.Unlock()
}

// wait returns once nothing is in progress, or after d.
func (f *inflight) wait(d time.Duration) {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	if f.idle == nil {
		f.idle = make(chan struct{})
	}
	idle := f.idle
	f.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
