package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, 100 columns wide, the way
// posix_openpt, unlockpt and ptsname do.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	fd := int(ptm.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("name the pseudo-terminal: %v", err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pseudo-terminal's terminal side: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 100}); err != nil {
		t.Fatalf("size the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close(); pts.Close() })
	return ptm, pts
}

// screen is what the terminal side of a pseudo-terminal was sent.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// String is the output with the terminal's \r\n (onlcr) back to \n.
func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(s.buf.String(), "\r\n", "\n")
}

// TestProgressTerminal runs check with a pseudo-terminal as its stderr:
// a status line of the scenario running is drawn while it runs and
// cleared before the lines that follow and at the end; with NO_COLOR,
// CI=true, GITHUB_ACTIONS=true or --quiet there is none, and the start,
// end and output lines are as on a pipe.
func TestProgressTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		env    []string
		args   []string
		status bool
	}{
		{name: "terminal", status: true},
		{name: "NO_COLOR", env: []string{"NO_COLOR=1"}},
		{name: "CI", env: []string{"CI=true"}},
		{name: "GITHUB_ACTIONS", env: []string{"GITHUB_ACTIONS=true"}}, // GITHUB_WORKSPACE set below
		{name: "dumb terminal", env: []string{"TERM=dumb"}},
		{name: "quiet", args: []string{"--quiet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ptm, pts := openPTY(t)
			marker := filepath.Join(t.TempDir(), "go-on")
			cfg := progressConfig(t, "slow", fmt.Sprintf(`echo waiting; while [ ! -e %s ]; do sleep 0.02; done`, marker))
			if tc.name == "GITHUB_ACTIONS" {
				tc.env = append(tc.env, "GITHUB_WORKSPACE="+t.TempDir()) // for the action's JSON report
			}
			var scr screen
			read := make(chan struct{})
			go func() {
				defer close(read)
				b := make([]byte, 4096)
				for {
					n, err := ptm.Read(b)
					scr.Write(b[:n])
					if err != nil {
						return // EIO once the terminal side is closed
					}
				}
			}()
			var stdout bytes.Buffer
			done := make(chan error, 1)
			go func() {
				args := append([]string{"check", "--config", cfg, "--allow-new", "--format", "json"}, tc.args...)
				done <- run(context.Background(), args, &stdout, pts, testEnv(append([]string{"TERM=xterm"}, tc.env...)...))
			}()

			// The scenario waits until its line, and the status line when
			// there is one, are on the screen.
			deadline := time.Now().Add(30 * time.Second)
			for {
				s := scr.String()
				if strings.Contains(s, "slow | waiting\n") && (!tc.status || strings.Contains(s, "\rrunning: slow ")) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the screen shows no output line, or no status line:\n%q", s)
				}
				time.Sleep(10 * time.Millisecond)
			}
			writeFile(t, marker, "")
			if err := <-done; err != nil {
				t.Fatalf("check: %v\n%q", err, scr.String())
			}
			pts.Close()
			<-read

			s := scr.String()
			if formatOf(t, stdout.String()) != "json" {
				t.Errorf("stdout:\n%s", stdout.String())
			}
			if !tc.status {
				if strings.ContainsAny(s, "\r\x1b") {
					t.Errorf("a status line:\n%q", s)
				}
				if !strings.Contains(s, "slow | waiting\n") || strings.Contains(s, "started") == (tc.name == "quiet") {
					t.Errorf("the screen:\n%q", s)
				}
				return
			}
			end := strings.Index(s, "callbudget: slow: 0 calls in ")
			switch {
			case !strings.HasPrefix(s, "callbudget: slow: started\n\rrunning: slow 0s\x1b[K"):
				t.Errorf("no status line after the start line:\n%q", s)
			case !strings.Contains(s, "\x1b[K\r\x1b[Kslow | waiting\n"):
				t.Errorf("the status line is not cleared before the output line:\n%q", s)
			case end < 0 || !strings.HasSuffix(s[:end], "\r\x1b[K"):
				t.Errorf("the status line is not cleared before the end line:\n%q", s)
			case !regexp.MustCompile(`\(new\)\n(callbudget: warning: no budget file [^\n]*\n)?$`).MatchString(s):
				t.Errorf("the screen does not end with the end line, the status line cleared:\n%q", s)
			}
		})
	}
}
