//go:build unix

package budget

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadNotRegular: only a regular file is read as a budget. A named
// pipe with no writer fails at once instead of blocking the open, and a
// device or a folder is refused too, each named.
func TestLoadNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "budget.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, kind string }{
		{"named pipe", fifo, "a named pipe"},
		{"device", "/dev/null", "a character device"},
		{"folder", dir, "a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan error, 1)
			go func() {
				_, err := Load(tt.path)
				done <- err
			}()
			select {
			case err := <-done:
				want := tt.path + ": not a regular file (" + tt.kind + ")"
				if err == nil || err.Error() != want || !errors.Is(err, ErrInvalid) {
					t.Errorf("Load = %v, want %s (ErrInvalid)", err, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Load(%s) still blocked after 10s", tt.path)
			}
		})
	}
}

// TestParseAliasBombFast: a budget's anchors and aliases are refused
// before anything follows them, so an alias bomb costs its parse.
func TestParseAliasBombFast(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nscenarios:\n  a: &a [x")
	b.WriteString(strings.Repeat(",x", 20_000))
	b.WriteString("]\n")
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("  b" + strconv.Itoa(i) + ": *a\n")
	}
	_, err := Parse("x.yaml", []byte(b.String()))
	if err == nil || err.Error() != "x.yaml:3: anchors, aliases and merge keys are not allowed" {
		t.Errorf("Parse = %v, want the anchor refused", err)
	}
}
