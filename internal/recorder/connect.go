package recorder

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/callbudget/callbudget/internal/intercept"
)

// face is how the client of a decrypted host sees the API: the URLs of the
// host it called, whatever the upstream that stands in for it.
type face struct {
	// toClient rewrites the upstream's URLs to the host's; empty when
	// they are the same (the upstream is that host, or a test server
	// whose answers already name it).
	toClient *rewrite
	// uploadsHost: requests to this host go to the uploads base.
	uploadsHost bool
}

// faces are the decrypted hosts and their faces: api.github.com and
// uploads.github.com as github.com's API, which the upstream stands in for
// (its origin becomes https://api.github.com, its uploads
// https://uploads.github.com), and each other host as a GitHub Enterprise
// Server (https://HOST/api/v3, /api/uploads), the upstream's own host
// among them when it is one.
func faces(base, uploads *url.URL, origin string, extra []string) map[string]*face {
	dotcom := newRewrite(
		uploads.String(), "https://uploads.github.com",
		origin, "https://api.github.com",
		base.String(), "https://api.github.com",
	)
	m := map[string]*face{
		"api.github.com":     {toClient: dotcom},
		"uploads.github.com": {toClient: dotcom, uploadsHost: true},
	}
	hosts := extra
	if h := ghesHost(base); h != "" {
		hosts = append([]string{h}, extra...)
	}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || m[h] != nil {
			continue
		}
		m[h] = &face{toClient: newRewrite(
			uploads.String(), "https://"+h+"/api/uploads",
			origin, "https://"+h,
			base.String(), "https://"+h+"/api/v3",
		)}
	}
	return m
}

// ghesHost is the upstream's host when a client may call it by name
// through HTTPS_PROXY: an https upstream on port 443 other than
// api.github.com.
func ghesHost(base *url.URL) string {
	if base.Scheme != "https" || (base.Port() != "" && base.Port() != "443") {
		return ""
	}
	h := strings.ToLower(base.Hostname())
	if h == "api.github.com" || net.ParseIP(h) != nil {
		return ""
	}
	return h
}

// decrypts reports whether a CONNECT to host is decrypted.
func (p *Proxy) decrypts(host string) bool { return p.faces[host] != nil }

// connect answers a CONNECT: decrypted for the GitHub API hosts when the
// proxy has a CA, refused for them when it has none (counting or
// recording nothing would pass unnoticed), tunnelled untouched for every
// other host.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	host, port := intercept.ConnectTarget(r)
	if !p.decrypts(host) || port != "443" {
		intercept.Tunnel(w, r, net.JoinHostPort(host, port))
		return
	}
	if p.ic != nil {
		// Close waits for the handshakes, so that Err has a refused CA
		// once the command is done.
		p.handshakes.Add(1)
		defer p.handshakes.Done()
		p.ic.ServeConnectChecked(w, r, p.handshakeFailed)
		return
	}
	msg := p.opts.NoCA
	if msg == "" {
		msg = "the proxy has no CA to decrypt it with"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Callbudget-Refused", host)
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "callbudget: CONNECT to %s refused: %s\n", host, msg)
}

// handshakeFailed reports a client that refused the CA's certificate: the
// calls it meant to make are missing from the recording. Other failed
// handshakes (a client that hung up) are not the proxy's to report.
func (p *Proxy) handshakeFailed(e *intercept.HandshakeError) {
	if !e.RefusedCertificate() {
		return
	}
	err := fmt.Errorf("%w: %w", ErrCARefused, e)
	if p.opts.HandshakeFailed != nil {
		p.opts.HandshakeFailed(err)
	}
	p.fail(err)
}
