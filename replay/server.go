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
)

// Server is a real HTTP server on loopback that answers from a cassette
// and counts every request, for clients in any process or language: point
// go-github (WithEnterpriseURLs), PyGithub (base_url), octokit (baseUrl) or
// gh (GH_HOST) at URL(). Safe for concurrent use.
type Server struct {
	e    *engine
	url  string
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	once sync.Once
	err  error
}

// NewServer loads nothing and listens at once: on Options.Addr, by default
// a free port on 127.0.0.1. Close it when done.
func NewServer(c *Cassette, opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("replay server: listen on %s: %w", addr, err)
	}
	s := &Server{ln: ln, url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	var rw *rewriter
	if !opts.KeepURLs {
		rw = newRewriter(c, s.url)
	}
	// The Server sees only its own loopback host; matching on it would
	// match nothing.
	opts.MatchHost = false
	s.e = newEngine(c, opts, rw, false)
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// URL is the server's base URL, such as http://127.0.0.1:41234, with no
// trailing slash: what a client takes as its API base URL.
func (s *Server) URL() string { return s.url }

// Counts reports what has been counted so far.
func (s *Server) Counts() Counts { return s.e.counts(nil) }

// Close stops the server at once, dropping open connections, and waits for
// it to stop. Counts stay readable afterwards.
func (s *Server) Close() error {
	s.once.Do(func() {
		if err := s.srv.Close(); err != nil && s.err == nil {
			s.err = err
		}
		<-s.done
	})
	return s.err
}

// Shutdown stops the server gracefully: no new connections, in-flight
// requests finish, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.once.Do(func() { <-s.done })
	if err != nil {
		return err
	}
	return s.err
}

// ServeHTTP answers one request from the cassette.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, _ := s.e.match(r.Method, "", r.URL.Path, r.URL.RawQuery, r.Body)
	h := w.Header()
	if a == nil {
		for k, v := range unmatchedHeader() {
			h[k] = v
		}
		h["Content-Length"] = []string{strconv.Itoa(len(unmatchedBody))}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, unmatchedBody)
		return
	}
	// Recorded values are never modified after preparation, so the
	// header map can share them.
	for k, v := range a.header {
		h[k] = v
	}
	if bodyAllowed(a.code) {
		h["Content-Length"] = a.clen
	}
	w.WriteHeader(a.code)
	if r.Method != http.MethodHead && bodyAllowed(a.code) && a.body != "" {
		io.WriteString(w, a.body)
	}
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}
