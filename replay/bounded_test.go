//go:build unix

package replay

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadNotRegular: only a regular file is read. A named pipe with no
// writer is refused at once (opening it without O_NONBLOCK would wait for
// a writer forever), and so is a device, which would never end.
func TestLoadNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"named pipe", fifo, fifo + ": not a regular file (a named pipe)"},
		{"device", "/dev/zero", "/dev/zero: not a regular file (a character device)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan error, 1)
			go func() {
				_, err := Load(tt.path, LoadOptions{})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || err.Error() != tt.want || !errors.Is(err, ErrNotRegular) {
					t.Errorf("Load = %v, want %s (ErrNotRegular)", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Load(%s) still blocked after 10s", tt.path)
			}
		})
	}
}

// TestWithContext: a load ctx stops returns at once with an error naming
// the file and the cause, whatever the load is doing; one that ends first
// returns its own result.
func TestWithContext(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	defer close(block)
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{})
	go func() {
		<-started
		cancel(errors.New("terminated signal received"))
	}()
	_, err := withContext(ctx, "big.yaml", func(context.Context) (*Cassette, error) {
		close(started)
		<-block // a parse that would not end on its own
		return nil, nil
	})
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, context.Canceled) ||
		err.Error() != "big.yaml: interrupted while loading the cassette (terminated signal received)" {
		t.Errorf("withContext after cancel = %v, want a *LoadError wrapping context.Canceled", err)
	}

	_, err = LoadContext(ctx, "never-read.yaml", LoadOptions{})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "never-read.yaml: interrupted") {
		t.Errorf("LoadContext with a done ctx = %v, want interrupted", err)
	}

	want := &Cassette{Path: "x.yaml"}
	got, err := withContext(context.Background(), "x.yaml", func(context.Context) (*Cassette, error) { return want, nil })
	if got != want || err != nil {
		t.Errorf("withContext = %v, %v; want the load's own result", got, err)
	}
}
