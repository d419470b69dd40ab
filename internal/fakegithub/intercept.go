package fakegithub

import (
	"strings"
	"sync"
)

// hook is a function Intercept registered.
type hook struct {
	method, pathPrefix string
	fn                 func(r Request, n int)
	n                  int // matching requests seen so far
}

// Intercept calls fn before the server handles each request whose method
// is method ("" for any) and whose path without the Prefix starts with
// pathPrefix; n counts those requests from 1, from the call to Intercept
// on. fn runs in the request's goroutine without the server's lock, so it
// may block to delay or hold the request (a barrier between two clients,
// or [Server.Pause]) and may change the fake (SetHeadSHA) before the
// request sees it. The request is kept in Requests when it is handled,
// after fn returns.
func (s *Server) Intercept(method, pathPrefix string, fn func(r Request, n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, &hook{method: strings.ToUpper(method), pathPrefix: pathPrefix, fn: fn})
}

// intercept runs the hooks matching r, in the order they were added.
func (s *Server) intercept(r Request) {
	type call struct {
		fn func(Request, int)
		n  int
	}
	var calls []call
	s.mu.Lock()
	for _, h := range s.hooks {
		if (h.method == "" || h.method == r.Method) && strings.HasPrefix(r.Path, h.pathPrefix) {
			h.n++
			calls = append(calls, call{h.fn, h.n})
		}
	}
	s.mu.Unlock()
	for _, c := range calls {
		c.fn(r, c.n)
	}
}

// Paused is a request held by [Server.Pause].
type Paused struct {
	arrived, release chan struct{}
	arriveOnce       sync.Once
	releaseOnce      sync.Once
}

// Pause holds the nth request (counting from 1, from the call to Pause
// on) whose method is method ("" for any) and whose path without the
// Prefix starts with pathPrefix, before the server handles it, until
// Release is called: the request then goes on and is answered as usual.
// The other requests pass. Held requests are released when the test
// ends or the server is closed, so a test that fails early does not
// hang.
func (s *Server) Pause(method, pathPrefix string, nth int) *Paused {
	p := &Paused{arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.paused = append(s.paused, p)
	s.mu.Unlock()
	s.Intercept(method, pathPrefix, func(_ Request, n int) {
		if n != nth {
			return
		}
		p.arriveOnce.Do(func() { close(p.arrived) })
		<-p.release
	})
	return p
}

// Arrived is closed once the held request has reached the server.
func (p *Paused) Arrived() <-chan struct{} { return p.arrived }

// Release lets the held request go on (or the request, when it comes,
// pass); it may be called more than once.
func (p *Paused) Release() { p.releaseOnce.Do(func() { close(p.release) }) }

// releaseAll lets every held request go, so that closing the server,
// which waits for the requests it is answering, does not hang.
func (s *Server) releaseAll() {
	s.mu.Lock()
	paused := s.paused
	s.mu.Unlock()
	for _, p := range paused {
		p.Release()
	}
}
