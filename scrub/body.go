package scrub

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"strings"
)

// maxDecoded caps what a gzip body may expand to: a body that would expand
// further is scrubbed (and scanned) as it is, never decoded whole.
const maxDecoded = 256 << 20

func isGzip(b string) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// gunzip decodes a gzip body; ok is false when b is not one or is too big.
func gunzip(b string) (string, bool) {
	if !isGzip(b) {
		return "", false
	}
	zr, err := gzip.NewReader(strings.NewReader(b))
	if err != nil {
		return "", false
	}
	defer zr.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, maxDecoded+1))
	if err != nil || n > maxDecoded {
		return "", false
	}
	return out.String(), true
}

func gzipString(b string) string {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write([]byte(b))
	zw.Close()
	return out.String()
}

// debase64 decodes a body that is base64 and nothing else (how some tools
// store binary bodies); ok is false for anything else.
func debase64(b string) (string, bool) {
	t := strings.TrimSpace(b)
	if len(t) < 16 {
		return "", false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r') {
			return "", false
		}
	}
	t = strings.NewReplacer("\n", "", "\r", "").Replace(t)
	d, err := base64.StdEncoding.DecodeString(t)
	if err != nil {
		return "", false
	}
	return string(d), true
}

// body scrubs a request or response body: as text, and inside the gzip
// stream or base64 text it is, re-encoded the same way when that changed.
// An unchanged body is returned as it was, byte for byte.
func (s *Scrubber) body(b string) string {
	if b == "" {
		return b
	}
	if plain, ok := gunzip(b); ok {
		if sp := s.Text(plain); sp != plain {
			return gzipString(sp)
		}
		return b
	}
	if dec, ok := debase64(b); ok {
		if sd := s.body(dec); sd != dec {
			return base64.StdEncoding.EncodeToString([]byte(sd))
		}
	}
	return s.Text(b)
}
