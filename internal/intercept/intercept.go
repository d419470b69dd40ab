// Package intercept is callbudget's HTTPS interception face: an HTTP proxy
// that answers CONNECT, terminates TLS for the GitHub API hosts with a leaf
// certificate minted per SNI from a CA of its own, and hands the decrypted
// requests to an http.Handler, so that clients that always call
// https://api.github.com (ogr's PyGithub with no base URL, gh on its
// default host, a script with the URL written into it) reach the same
// replay engine, recorder or metrics as clients given a base URL.
//
// Replay and record make a CA in memory for the run ([NewCA]); its key
// never leaves the process, and only its certificate is written, into a
// bundle of the system roots plus it for the child ([CA.WriteBundle]).
// callbudget proxy loads an operator's CA instead ([LoadCA]).
//
// What is done with a CONNECT to a host that is not intercepted is the
// caller's: replay refuses it (no network in replay), record and proxy
// tunnel it untouched ([Tunnel]).
package intercept

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/callbudget/callbudget/internal/regfile"
)

// DefaultLifetime is how long a run's CA and its leaves are valid: hours,
// so that a certificate taken out of the run is soon worthless.
const DefaultLifetime = 12 * time.Hour

// CA signs the leaf certificates. Safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
	leafKey *ecdsa.PrivateKey // one key for every leaf: minting is a signature, not a key generation
	life    time.Duration

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

// NewCA makes a CA in memory: ECDSA P-256, valid from a minute ago for
// lifetime (DefaultLifetime when zero), constrained to sign server
// certificates only.
func NewCA(lifetime time.Duration) (*CA, error) {
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "callbudget interception CA (this run only)", Organization: []string{"callbudget"}},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return newCA(cert, key, lifetime)
}

// LoadCA reads an operator's CA: a PEM certificate and its PEM private key
// (PKCS #8, EC or PKCS #1), such as a Kubernetes secret's two files. Leaves
// it signs are valid for DefaultLifetime, within the CA's own validity.
func LoadCA(certFile, keyFile string) (*CA, error) {
	certPEM, err := readSmall(certFile)
	if err != nil {
		return nil, fmt.Errorf("CA certificate %s: %w", certFile, err)
	}
	keyPEM, err := readSmall(keyFile)
	if err != nil {
		return nil, fmt.Errorf("CA key %s: %w", keyFile, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("CA %s and %s: %w", certFile, keyFile, err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("CA certificate %s: %w", certFile, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("CA certificate %s: not a CA certificate (basic constraints)", certFile)
	}
	key, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("CA key %s: not a signing key", keyFile)
	}
	return newCA(cert, key, DefaultLifetime)
}

func readSmall(path string) ([]byte, error) {
	f, _, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

func newCA(cert *x509.Certificate, key crypto.Signer, life time.Duration) (*CA, error) {
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &CA{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		key:     key,
		leafKey: leafKey,
		life:    life,
		leaves:  map[string]*tls.Certificate{},
	}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// CertPEM is the CA's certificate, PEM-encoded.
func (ca *CA) CertPEM() []byte { return ca.certPEM }

// Pool is a certificate pool holding only the CA: what a test client
// trusts.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Leaf returns the certificate for host, minted on first use and kept.
func (ca *CA) Leaf(host string) (*tls.Certificate, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.leaves[host]; ok {
		return c, nil
	}
	now := time.Now()
	notAfter := now.Add(ca.life)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &ca.leafKey.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("mint a certificate for %s: %w", host, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: ca.leafKey}
	ca.leaves[host] = c
	return c, nil
}

// WriteBundle writes a CA bundle to a new file in dir (the system's
// temporary folder when ""): the system's roots, read from the usual
// places, then this CA, so that a child trusting the bundle trusts both
// the real GitHub and the interception face. It returns the file's path;
// remove it when the child is done.
func (ca *CA) WriteBundle(dir string) (string, error) {
	f, err := os.CreateTemp(dir, "callbudget-ca-*.pem")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if roots := systemRoots(); len(roots) > 0 {
		b.Write(roots)
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteString("\n")
		}
	}
	b.WriteString("# callbudget interception CA, for this run only\n")
	b.Write(ca.certPEM)
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// systemRoots is the first system CA bundle found, as Go's crypto/x509
// looks for it on Linux and the BSDs (SSL_CERT_FILE first).
func systemRoots() []byte {
	files := []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Arch, Gentoo
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // openSUSE
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine, macOS
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = append([]string{f}, files...)
	}
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) > 0 {
			return data
		}
	}
	return nil
}

// Proxy answers CONNECT requests: for a host Intercept says yes to, it
// terminates TLS with a leaf of CA and serves the decrypted requests with
// Handler (HTTP/1.1 or HTTP/2, as the client offers); for another host it
// calls Other, or refuses with 403 when Other is nil. Use it from the
// ServeHTTP of a server that also serves plain requests: ServeConnect is
// for r.Method == CONNECT.
type Proxy struct {
	CA *CA
	// Intercept reports whether host (no port, lower case) is decrypted.
	Intercept func(host string) bool
	// Handler serves a decrypted request. Its URL is absolute
	// (https://host/path), its Host the CONNECT's host, and
	// [FromContext] of its context says it came through the proxy.
	Handler http.Handler
	// Other handles a CONNECT to a host that is not intercepted; nil
	// refuses it (403). hostport is the CONNECT target.
	Other func(w http.ResponseWriter, r *http.Request, hostport string)

	once  sync.Once
	ln    *connListener
	srv   *http.Server
	serve chan struct{}
	hosts sync.Map // *tls.Conn → the CONNECT's host
}

type ctxKey struct{}

// Info is what the proxy knows of a decrypted request.
type Info struct {
	// Host is the CONNECT's host (no port).
	Host string
}

// FromContext returns the Info of a request the proxy decrypted; false for
// a request that came in plain.
func FromContext(ctx context.Context) (Info, bool) {
	i, ok := ctx.Value(ctxKey{}).(Info)
	return i, ok
}

func (p *Proxy) start() {
	p.once.Do(func() {
		p.ln = newConnListener()
		p.srv = &http.Server{
			Handler:           http.HandlerFunc(p.serveDecrypted),
			ReadHeaderTimeout: 30 * time.Second,
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				if host, ok := p.hosts.Load(c); ok {
					return context.WithValue(ctx, ctxKey{}, Info{Host: host.(string)})
				}
				return ctx
			},
			ConnState: func(c net.Conn, st http.ConnState) {
				if st == http.StateClosed || st == http.StateHijacked {
					p.hosts.Delete(c)
				}
			},
		}
		p.serve = make(chan struct{})
		go func() {
			defer close(p.serve)
			_ = p.srv.Serve(p.ln)
		}()
	})
}

// Close stops serving the decrypted connections, at once.
func (p *Proxy) Close() error {
	p.start()
	err := p.srv.Close()
	<-p.serve
	return err
}

func (p *Proxy) serveDecrypted(w http.ResponseWriter, r *http.Request) {
	info, _ := FromContext(r.Context())
	r.URL.Scheme = "https"
	r.URL.Host = r.Host
	if r.URL.Host == "" {
		r.URL.Host = info.Host
	}
	p.Handler.ServeHTTP(w, r)
}

// ServeConnect handles one CONNECT request: ServeConnectChecked with no
// one told of a failed handshake.
func (p *Proxy) ServeConnect(w http.ResponseWriter, r *http.Request) {
	p.ServeConnectChecked(w, r, nil)
}

// ConnectTarget is the host (lower case, no trailing dot) and port a
// CONNECT asks for; 443 when it names none.
func ConnectTarget(r *http.Request) (host, port string) {
	hostport := r.Host
	if hostport == "" {
		hostport = r.URL.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "443"
	}
	return strings.ToLower(strings.TrimSuffix(host, ".")), port
}

// Refuse answers a CONNECT with 403 and says why.
func Refuse(w http.ResponseWriter, host string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Callbudget-Refused", host)
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "callbudget: CONNECT to %s refused: only the GitHub API hosts are answered while a cassette is replayed (no network in replay)\n", host)
}

// Tunnel connects the client to hostport untouched (no decryption, nothing
// recorded), for record and proxy: package downloads and the like.
func Tunnel(w http.ResponseWriter, r *http.Request, hostport string) {
	d := net.Dialer{Timeout: 30 * time.Second}
	up, err := d.DialContext(r.Context(), "tcp", hostport)
	if err != nil {
		http.Error(w, "callbudget: cannot reach "+hostport+": "+err.Error(), http.StatusBadGateway)
		return
	}
	conn, rw, err := hijack(w)
	if err != nil {
		up.Close()
		http.Error(w, "callbudget: cannot take over the connection: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		conn.Close()
		up.Close()
		return
	}
	var client io.Reader = conn
	if rw != nil && rw.Reader.Buffered() > 0 {
		client = io.MultiReader(io.LimitReader(rw.Reader, int64(rw.Reader.Buffered())), conn)
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, client); closeWrite(up); done <- struct{}{} }()
	go func() { io.Copy(conn, up); closeWrite(conn); done <- struct{}{} }()
	<-done
	<-done
	conn.Close()
	up.Close()
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
	rc := http.NewResponseController(w)
	conn, rw, err := rc.Hijack()
	if err != nil {
		return nil, nil, err
	}
	conn.SetDeadline(time.Time{})
	return conn, rw, nil
}

// bufferedConn reads what the hijacked reader buffered first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// connListener is a net.Listener fed by ServeConnect.
type connListener struct {
	ch     chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newConnListener() *connListener {
	return &connListener{ch: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *connListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.closed:
		c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *connListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// GitHubHosts reports whether host is one of GitHub's API hosts
// (api.github.com, uploads.github.com) or one of extra (a GitHub
// Enterprise Server host named in the config).
func GitHubHosts(extra ...string) func(string) bool {
	set := map[string]bool{"api.github.com": true, "uploads.github.com": true}
	for _, h := range extra {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			set[h] = true
		}
	}
	return func(host string) bool { return set[host] }
}
