package runner

import (
	"crypto/rand"
	"io"
	"sync"
)

// fence brackets a command's output with GitHub Actions' stop-commands
// pair, so that nothing the command prints is taken as a workflow command
// (::set-output, ::add-mask, ::error …): the runner ignores every command
// between "::stop-commands::<token>" and "::<token>::". The token is
// random per run, so the code under test cannot end the fence early.
type fence struct {
	token          string
	stdout, stderr io.Writer // what the command writes to; nil discards
	writers        []*lineWriter
}

func newFence(stdout, stderr io.Writer) *fence {
	f := &fence{token: rand.Text()}
	var out, errw *lineWriter
	if stdout != nil {
		out = &lineWriter{w: stdout, last: '\n'}
		f.writers = append(f.writers, out)
		f.stdout = out
	}
	if sameWriter(stdout, stderr) {
		// One writer (and one pipe: exec shares it when both are the
		// same), fenced once.
		f.stderr = out
	} else if stderr != nil {
		errw = &lineWriter{w: stderr, last: '\n'}
		f.writers = append(f.writers, errw)
		f.stderr = errw
	}
	return f
}

func (f *fence) open() {
	for _, w := range f.writers {
		w.WriteString("::stop-commands::" + f.token + "\n")
	}
}

// close ends the fence; the command's output is complete by then.
func (f *fence) close() {
	for _, w := range f.writers {
		// A last line without a newline would swallow the end marker,
		// and workflow commands would stay off for the rest of the step.
		if w.last != '\n' {
			w.WriteString("\n")
		}
		w.WriteString("::" + f.token + "::\n")
	}
}

// lineWriter remembers the last byte written through it.
type lineWriter struct {
	mu   sync.Mutex
	w    io.Writer
	last byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

func (l *lineWriter) WriteString(s string) {
	l.Write([]byte(s)) // the fence is best effort, like the output it wraps
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
