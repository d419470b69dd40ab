package intercept

import (
	"bytes"
	"errors"
	"net"
	"testing"
)

// readerConn is a net.Conn whose reads come from a buffer.
type readerConn struct {
	net.Conn
	r *bytes.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestHandshakeErrorRefusedCertificate: a client's refusal is found in
// the alert crypto/tls reports (Go's clients, encrypted) and in a
// plaintext alert that ends what the client sent (OpenSSL's, which
// crypto/tls cannot read as the record it expects).
func TestHandshakeErrorRefusedCertificate(t *testing.T) {
	t.Parallel()
	clientHello := bytes.Repeat([]byte{22, 3, 1, 0, 5, 1, 2, 3, 4, 5}, 3)
	tests := []struct {
		name string
		sent []byte
		err  error
		want bool
	}{
		{"OpenSSL unknown_ca", append(clientHello, 21, 3, 3, 0, 2, 2, 48), errors.New("local error: tls: bad record MAC"), true},
		{"certificate_unknown", append(clientHello, 21, 3, 3, 0, 2, 2, 46), errors.New("local error: tls: bad record MAC"), true},
		{"a warning", append(clientHello, 21, 3, 3, 0, 2, 1, 48), errors.New("EOF"), false},
		{"protocol_version", append(clientHello, 21, 3, 3, 0, 2, 2, 70), errors.New("x"), false},
		{"closed", clientHello, errors.New("EOF"), false},
		{"Go bad_certificate", clientHello, &net.OpError{Op: "remote error", Err: alertText("tls: bad certificate")}, true},
		{"Go handshake failure", clientHello, &net.OpError{Op: "remote error", Err: alertText("tls: handshake failure")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &tailConn{Conn: readerConn{r: bytes.NewReader(tt.sent)}}
			buf := make([]byte, 4)
			for {
				if _, err := c.Read(buf); err != nil {
					break
				}
			}
			he := &HandshakeError{Host: "api.github.com", Err: tt.err, alert: c.lastAlert()}
			if got := he.RefusedCertificate(); got != tt.want {
				t.Errorf("RefusedCertificate() = %v, want %v (alert %d)", got, tt.want, he.alert)
			}
		})
	}
}

type alertText string

func (a alertText) Error() string { return string(a) }
