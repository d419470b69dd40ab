package recorder

import (
	"bytes"
	"io"
	"net/http"
	"sort"
	"strings"
)

// rewrite replaces upstream URL prefixes with what a client should see:
// the same pairs as a strings.Replacer, the longest old string first, so
// that a base URL with a path wins over its bare origin. The zero value
// (no pairs) changes nothing.
type rewrite struct {
	olds, news []string
	oldBytes   [][]byte
	r          *strings.Replacer
	maxOld     int
}

// newRewrite builds the rewrite of pairs (old, new, old, new, …); a later
// pair for the same old wins (a base URL and an origin that are one), and
// pairs whose old is their new are left out, so a rewrite that would
// change nothing is empty.
func newRewrite(pairs ...string) *rewrite {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	olds := make([]string, 0, len(m))
	for o, n := range m {
		if o != n && o != "" {
			olds = append(olds, o)
		}
	}
	sort.Slice(olds, func(i, j int) bool {
		if len(olds[i]) != len(olds[j]) {
			return len(olds[i]) > len(olds[j])
		}
		return olds[i] < olds[j]
	})
	w := &rewrite{olds: olds}
	rp := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		w.news = append(w.news, m[o])
		w.oldBytes = append(w.oldBytes, []byte(o))
		rp = append(rp, o, m[o])
		w.maxOld = max(w.maxOld, len(o))
	}
	w.r = strings.NewReplacer(rp...)
	return w
}

// empty reports whether the rewrite changes nothing.
func (w *rewrite) empty() bool { return w == nil || len(w.olds) == 0 }

// String rewrites s.
func (w *rewrite) String(s string) string {
	if w.empty() {
		return s
	}
	return w.r.Replace(s)
}

// Writer returns a writer that rewrites what goes through it into dst, a
// chunk at a time, holding back only what could be the start of an old
// string cut by a chunk's end: a body of any size is rewritten in
// constant memory. Close writes what is held back (it does not close dst).
func (w *rewrite) Writer(dst io.Writer) io.WriteCloser {
	return &rewriteWriter{w: w, dst: dst}
}

type rewriteWriter struct {
	w       *rewrite
	dst     io.Writer
	pending []byte
	out     []byte
	next    []int // per old string, where it next occurs in pending
	err     error
}

func (rw *rewriteWriter) Write(b []byte) (int, error) {
	if rw.err != nil {
		return 0, rw.err
	}
	rw.pending = append(rw.pending, b...)
	// A match that starts before safe fits in pending whole, so every
	// position before safe is decided; the rest waits for more bytes.
	safe := len(rw.pending) - (rw.w.maxOld - 1)
	if safe <= 0 {
		return len(b), nil
	}
	if err := rw.emit(safe); err != nil {
		return 0, err
	}
	return len(b), nil
}

// emit writes pending up to (at least) position upto, rewritten, and keeps
// the rest.
func (rw *rewriteWriter) emit(upto int) error {
	p := rw.pending
	olds := rw.w.oldBytes
	if cap(rw.next) < len(olds) {
		rw.next = make([]int, len(olds))
	}
	next := rw.next[:len(olds)]
	for j := range next {
		next[j] = -2 // not looked for yet
	}
	rw.out = rw.out[:0]
	i := 0
	for i < upto {
		pos, k := -1, -1
		for j, o := range olds {
			if next[j] == -2 || next[j] >= 0 && next[j] < i {
				next[j] = -1
				if at := bytes.Index(p[i:], o); at >= 0 {
					next[j] = i + at
				}
			}
			// olds are longest first: the first found at a position wins.
			if next[j] >= 0 && (pos < 0 || next[j] < pos) {
				pos, k = next[j], j
			}
		}
		if pos < 0 || pos >= upto {
			rw.out = append(rw.out, p[i:upto]...)
			i = upto
			break
		}
		rw.out = append(rw.out, p[i:pos]...)
		rw.out = append(rw.out, rw.w.news[k]...)
		i = pos + len(olds[k])
	}
	if len(rw.out) > 0 {
		if _, err := rw.dst.Write(rw.out); err != nil {
			rw.err = err
			return err
		}
	}
	rest := copy(rw.pending, p[i:])
	rw.pending = rw.pending[:rest]
	return nil
}

func (rw *rewriteWriter) Close() error {
	if rw.err != nil {
		return rw.err
	}
	return rw.emit(len(rw.pending))
}

// flushWriter flushes the client's answer after each write, so that what
// the upstream sends reaches the client as it comes (a long download, a
// slow stream) instead of waiting in the server's buffer.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func newFlushWriter(w http.ResponseWriter) *flushWriter {
	return &flushWriter{w: w, rc: http.NewResponseController(w)}
}

func (f *flushWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err == nil {
		if ferr := f.rc.Flush(); ferr != nil && ferr != http.ErrNotSupported {
			err = ferr
		}
	}
	return n, err
}
