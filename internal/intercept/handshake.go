package intercept

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// HandshakeTimeout bounds the TLS handshake [Proxy.ServeConnectChecked]
// completes itself.
const HandshakeTimeout = 30 * time.Second

// HandshakeError is a failed TLS handshake on a decrypted CONNECT.
type HandshakeError struct {
	// Host is the CONNECT's host (no port).
	Host string
	// Err is what crypto/tls returned.
	Err error
	// alert is the fatal alert the client sent in the clear as the last
	// thing it sent, or -1. OpenSSL (curl, Python, Node) sends the alert
	// that refuses a certificate before it turns on its handshake keys,
	// which crypto/tls, expecting an encrypted record in TLS 1.3, reports
	// as its own "bad record MAC".
	alert int
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("TLS handshake for %s: %v", e.Host, e.Err)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// RefusedCertificate reports whether the client ended the handshake with
// an alert saying it does not accept the certificate (bad certificate,
// unknown CA, certificate unknown, …): it does not trust the CA, or it
// pins GitHub's own certificates.
func (e *HandshakeError) RefusedCertificate() bool {
	for _, a := range certificateAlerts {
		if e.alert == int(a) {
			return true
		}
	}
	var op *net.OpError
	if !errors.As(e.Err, &op) || op.Op != "remote error" || op.Err == nil {
		return false
	}
	// crypto/tls reports the client's alert with an unexported type whose
	// text is that of the exported AlertError of the same number.
	got := op.Err.Error()
	for _, a := range certificateAlerts {
		if got == a.Error() {
			return true
		}
	}
	return false
}

// tailConn keeps the last bytes read during the handshake, to find a
// plaintext alert in them.
type tailConn struct {
	net.Conn
	tail []byte
	done bool // the handshake is over: reads are passed through
}

// alertRecordLen is a TLS alert record: type 21, version, length 2,
// level, description.
const alertRecordLen = 7

func (c *tailConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.done && n > 0 {
		c.tail = append(c.tail, p[:n]...)
		if len(c.tail) > alertRecordLen {
			c.tail = append(c.tail[:0], c.tail[len(c.tail)-alertRecordLen:]...)
		}
	}
	return n, err
}

// lastAlert is the description of a fatal plaintext alert record that
// ends what the client sent, or -1.
func (c *tailConn) lastAlert() int {
	t := c.tail
	if len(t) != alertRecordLen || t[0] != 21 || t[1] != 3 || t[3] != 0 || t[4] != 2 || t[5] != 2 {
		return -1
	}
	return int(t[6])
}

// certificateAlerts are the TLS alerts a client sends when it refuses the
// server's certificate (RFC 8446 section 6.2).
var certificateAlerts = []tls.AlertError{
	42, // bad_certificate: Go's crypto/tls on any verification failure
	43, // unsupported_certificate
	44, // certificate_revoked
	45, // certificate_expired
	46, // certificate_unknown: Java, some pinning libraries
	48, // unknown_ca: OpenSSL (curl, Python), Node
	49, // access_denied
}

// ServeConnectChecked is [Proxy.ServeConnect] that completes the TLS
// handshake of an intercepted CONNECT itself, before the decrypted
// connection is served, and calls failed (when not nil) with what went
// wrong when the handshake fails: a replay can then say that a client
// refused the CA, which an http.Server only writes to its error log.
// failed runs on the CONNECT's goroutine, before ServeConnectChecked
// returns.
func (p *Proxy) ServeConnectChecked(w http.ResponseWriter, r *http.Request, failed func(*HandshakeError)) {
	host, port := ConnectTarget(r)
	if p.Intercept == nil || !p.Intercept(host) || port != "443" {
		if p.Other != nil {
			p.Other(w, r, net.JoinHostPort(host, port))
			return
		}
		Refuse(w, host)
		return
	}
	p.start()
	conn, rw, err := hijack(w)
	if err != nil {
		http.Error(w, "callbudget: cannot take over the connection: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	var raw net.Conn = conn
	if rw != nil && rw.Reader.Buffered() > 0 {
		raw = &bufferedConn{Conn: conn, r: rw.Reader}
	}
	tail := &tailConn{Conn: raw}
	tc := tls.Server(tail, p.leafConfig(host))
	ctx, cancel := context.WithTimeout(r.Context(), HandshakeTimeout)
	err = tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		tc.Close()
		if failed != nil {
			failed(&HandshakeError{Host: host, Err: err, alert: tail.lastAlert()})
		}
		return
	}
	tail.done, tail.tail = true, nil
	p.hosts.Store(tc, host)
	p.ln.push(tc)
}

// leafConfig is the TLS configuration ServeConnect uses for host.
func (p *Proxy) leafConfig(host string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = host
			}
			name = strings.ToLower(name)
			if name != host {
				return nil, fmt.Errorf("callbudget: TLS server name %q is not the CONNECT's host %q", name, host)
			}
			return p.CA.Leaf(host)
		},
	}
}
