package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/scrub"
)

// TestFIFOInputs: a named pipe given where a file is read (a cassette,
// a recording to import, a config) fails at once with exit 2 and says
// what it is; opening it the ordinary way would wait for a writer forever.
func TestFIFOInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	want := fifo + ": not a regular file (a named pipe)"
	tests := []struct {
		name string
		args []string
	}{
		{"count", []string{"count", fifo}},
		{"count --from vcrpy", []string{"count", "--from", "vcrpy", fifo}},
		{"scan", []string{"scan", fifo}},
		{"run", []string{"run", "--cassette", fifo, "--", "true"}},
		{"import", []string{"import", fifo, "--out", filepath.Join(dir, "out")}},
		{"check --config", []string{"check", "--config", fifo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan result, 1)
			go func() { done <- runCLI(t, testEnv(), tt.args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("callbudget %s still blocked on the named pipe after 15s", strings.Join(tt.args, " "))
			}
			if r.code != exitError || !strings.Contains(r.stderr, want) || r.stdout != "" {
				t.Errorf("want exit %d and %q on stderr, nothing on stdout; got\n%s", exitError, want, r)
			}
		})
	}
}

// TestInterruptedBeforeLoad: the commands that read cassettes stop, exit 2
// and say so when their context is done: what main's signal context is
// after SIGINT or SIGTERM. TestInterruptLoad sends the real signals.
func TestInterruptedBeforeLoad(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "out")
	for _, args := range [][]string{
		{"count", prOpened},
		{"count", "--from", "govcr", prOpened, prOpened},
		{"scan", prOpened},
		{"import", "--from", "govcr", prOpened, "--out", out},
	} {
		var stdout, stderr bytes.Buffer
		err := run(ctx, args, &stdout, &stderr, testEnv())
		code := exitCode(err, &stderr)
		want := prOpened + ": interrupted while loading the cassette (context canceled)"
		if code != exitError || !errors.Is(err, context.Canceled) || !strings.Contains(stderr.String(), want) ||
			strings.Count(stderr.String(), "interrupted") != 1 || stdout.Len() != 0 {
			t.Errorf("callbudget %s with a done context: exit %d, err %v\nstdout: %s\nstderr: %s\nwant exit %d and %q once",
				strings.Join(args, " "), code, err, stdout.String(), stderr.String(), exitError, want)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("import interrupted made %s: %v", out, err)
	}

	// The secret scan, the other long step of count and scan, stops too.
	c, err := replay.Load(prOpened, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f, err := scrub.ScanContext(ctx, c, scrub.Options{}); f != nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted while scanning") {
		t.Errorf("ScanContext with a done context = %v, %v", f, err)
	}
}

// writeBigCassette writes a valid go-vcr cassette of about size bytes and
// returns its number of interactions.
func writeBigCassette(t *testing.T, path string, size int) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	body := strings.Repeat(`{\"id\":1,\"name\":\"octocat\"},`, 100)
	w.WriteString("---\nversion: 2\ninteractions:\n")
	n := 0
	for written := 0; written < size; n++ {
		k, _ := fmt.Fprintf(w, `    - id: %d
      request:
        proto: HTTP/1.1
        proto_major: 1
        proto_minor: 1
        host: api.github.com
        headers:
            Accept:
                - application/vnd.github+json
        url: https://api.github.com/repos/o/r/issues/%d
        method: GET
      response:
        proto: HTTP/2.0
        proto_major: 2
        proto_minor: 0
        content_length: -1
        headers:
            Content-Type:
                - application/json; charset=utf-8
        body: "[%s]"
        status: 200 OK
        code: 200
        duration: 1ms
`, n, n, body)
		written += k
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// rssBytes is a running process's resident set, from /proc; 0 if unknown.
func rssBytes(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestInterruptLoad sends SIGTERM, then SIGINT, to a real callbudget count
// in the middle of loading a 60 MB cassette (a few seconds of YAML
// decoding): it must stop with exit 2, saying it was interrupted while
// loading, instead of finishing the load first.
//
// The cassette is 60 MB, not the 200 MB of the issue: count, run, check
// and scan read at most replay.DefaultMaxBytes (64 MiB) and no flag, variable
// or config setting raises that cap (replay.LoadOptions.MaxBytes is for Go
// callers), so 200 MB would be refused by its size before any load began.
// 60 MB is the largest load the CLI does.
func TestInterruptLoad(t *testing.T) {
	bin := callbudgetBinary(t) // skips under -short
	if rssBytes(os.Getpid()) == 0 {
		t.Skip("needs /proc/<pid>/status to see the load under way")
	}
	t.Parallel()
	cassette := filepath.Join(t.TempDir(), "big.yaml")
	n := writeBigCassette(t, cassette, 60<<20)
	for _, tc := range []struct {
		sig  syscall.Signal
		args []string
	}{
		{syscall.SIGTERM, []string{"count", cassette}},
		{syscall.SIGINT, []string{"count", cassette}},
		{syscall.SIGTERM, []string{"run", "--cassette", cassette, "--", "true"}},
	} {
		sig := tc.sig
		t.Run(tc.args[0]+" "+sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = testEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			started := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					<-waited
				}
			})

			// Loading: the file read (60 MB) and the parse's nodes growing
			// past it.
			for rssBytes(cmd.Process.Pid) < 100<<20 {
				select {
				case err := <-waited:
					t.Fatalf("callbudget count ended before it was seen loading: %v\n%s", err, stderr.String())
				case <-time.After(5 * time.Millisecond):
				}
				if time.Since(started) > 20*time.Second {
					t.Fatal("callbudget count not seen loading within 20s")
				}
			}
			loading := time.Since(started)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			signaled := time.Now()
			var err error
			select {
			case err = <-waited:
			case <-time.After(20 * time.Second):
				t.Fatalf("callbudget count still running 20s after %v\n%s", sig, stderr.String())
			}
			t.Logf("%d interactions, %v: sent %v into the load, exited %v after it", n, sig, loading.Round(time.Millisecond), time.Since(signaled).Round(time.Millisecond))
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitError {
				t.Errorf("callbudget count after %v: %v, want exit status %d\n%s", sig, err, exitError, stderr.String())
			}
			want := fmt.Sprintf("callbudget: %s: interrupted while loading the cassette (%v signal received)\n", cassette, sig)
			if tc.args[0] == "run" {
				want = fmt.Sprintf("callbudget: scenario big: %s: interrupted while loading the cassette (%v signal received)\n", cassette, sig)
			}
			if stderr.String() != want || stdout.Len() != 0 {
				t.Errorf("stderr %q, stdout %q; want %q on stderr only", stderr.String(), stdout.String(), want)
			}
		})
	}
}
