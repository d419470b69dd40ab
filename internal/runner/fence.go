package runner

import (
	"crypto/rand"
	"errors"
	"io"
	"sync"
)

// ErrFenceClosed is what a Fence's Write returns once the fence is
// closed: nothing reaches the stream after the end marker.
var ErrFenceClosed = errors.New("output fence closed")

// Fence brackets output with GitHub Actions' stop-commands pair, so that
// nothing written through it is taken as a workflow command (::set-output,
// ::add-mask, ::error …): the runner ignores every command between
// "::stop-commands::<token>" and "::<token>::". The token is random, so
// the code under test cannot end the fence early.
//
// Run and Exec fence one command's output with Options.Fence. A caller
// that interleaves the output of several commands on one stream (callbudget
// check with --jobs) opens one Fence around all of them instead: fences of
// their own would not nest, as the first to close would end the fence
// while the others still write.
type Fence struct {
	token  string
	mu     sync.Mutex
	w      io.Writer
	last   byte
	closed bool
}

// OpenFence writes the opening marker to w, with a new random token, and
// returns the fence to write the output through.
func OpenFence(w io.Writer) *Fence {
	f := &Fence{token: rand.Text(), w: w, last: '\n'}
	f.open()
	return f
}

func (f *Fence) open() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.write([]byte("::stop-commands::" + f.token + "\n"))
}

// Write writes p to the stream inside the fence; after Close it writes
// nothing and returns ErrFenceClosed. It is safe for concurrent use.
func (f *Fence) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, ErrFenceClosed
	}
	return f.write(p)
}

func (f *Fence) write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if n > 0 {
		f.last = p[n-1]
	}
	return n, err
}

// Close writes the end marker, on a line of its own: a last line without
// a newline would swallow it, and workflow commands would stay off for
// the rest of the step. The fence is best effort, like the output it
// wraps: a failing stream is not an error here.
func (f *Fence) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if f.last != '\n' {
		f.write([]byte("\n"))
	}
	f.write([]byte("::" + f.token + "::\n"))
	return nil
}

// fence is one command's fence: one Fence per distinct writer of its
// stdout and stderr, with one token.
type fence struct {
	stdout, stderr io.Writer // what the command writes to; nil discards
	fences         []*Fence
}

func newFence(stdout, stderr io.Writer) *fence {
	f := &fence{}
	token := rand.Text()
	if stdout != nil {
		out := &Fence{token: token, w: stdout, last: '\n'}
		f.fences = append(f.fences, out)
		f.stdout = out
	}
	if sameWriter(stdout, stderr) {
		// One writer (and one pipe: exec shares it when both are the
		// same), fenced once.
		f.stderr = f.stdout
	} else if stderr != nil {
		errw := &Fence{token: token, w: stderr, last: '\n'}
		f.fences = append(f.fences, errw)
		f.stderr = errw
	}
	return f
}

func (f *fence) open() {
	for _, fc := range f.fences {
		fc.open()
	}
}

// close ends the fence; the command's output is complete by then.
func (f *fence) close() {
	for _, fc := range f.fences {
		fc.Close()
	}
}

// sameWriter reports whether a and b are the same writer; values of an
// uncomparable type never are (os/exec's interfaceEqual does the same).
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a != nil && a == b
}
