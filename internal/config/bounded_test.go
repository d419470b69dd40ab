//go:build unix

package config_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/config"
)

// TestLoadNotRegular: only a regular file is read as a config. A named
// pipe with no writer fails at once instead of blocking the open.
func TestLoadNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "callbudget.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, fifo + ": not a regular file (a named pipe)"},
		{"/dev/null", "/dev/null: not a regular file (a character device)"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := config.Load(tc.path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || err.Error() != tc.want || !errors.Is(err, config.ErrInvalid) || !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("Load = %v, want %s", err, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%s) still blocked after 10s", tc.path)
		}
	}
}

// TestParseAliases: anchors under x- keys, merged into scenarios, are what
// configs are meant to use; a config whose aliases stand for far more than
// it holds is refused at the alias that crosses the bound.
func TestParseAliases(t *testing.T) {
	t.Parallel()
	ok := "x-defaults: &d {run: make test, timeout: 5m, env: &env {A: '1'}}\nscenarios:\n" +
		"  - {<<: *d, name: a, cassette: a.yaml}\n  - {<<: *d, name: b, cassette: b.yaml, env: *env}\n"
	cfg, err := config.Parse("callbudget.yaml", []byte(ok))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cfg.Scenarios) != 2 || cfg.Scenarios[1].Run != "make test" || cfg.Scenarios[1].Env["A"] != "1" {
		t.Errorf("Scenarios = %+v", cfg.Scenarios)
	}

	// 1 MB: one 20,000-item list and 70,000 aliases of it.
	var b strings.Builder
	b.WriteString("x-l: &l [x")
	b.WriteString(strings.Repeat(",x", 19_999))
	b.WriteString("]\nx-m:\n")
	for i := 0; b.Len() < 1<<20-100; i++ {
		fmt.Fprintf(&b, "  k%d: *l\n", i)
	}
	b.WriteString("scenarios: [{name: a, cassette: a, run: a}]\n")
	start := time.Now()
	_, err = config.Parse("callbudget.yaml", []byte(b.String()))
	t.Logf("1 MB alias bomb refused in %v", time.Since(start))
	if want := "callbudget.yaml:90: YAML alias *l: excessive aliasing: with its aliases expanded the config has over"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Parse = %v, want %s…", err, want)
	}

	long := strings.Repeat("x", 100_000)
	text := "x-s: &s '" + long + "'\nscenarios:\n  - name: a\n    cassette: a\n    run: a\n    env:\n"
	for i := range 20 {
		text += fmt.Sprintf("      V%d: *s\n", i)
	}
	_, err = config.Parse("callbudget.yaml", []byte(text))
	if want := "callbudget.yaml:16: YAML alias *s: excessive aliasing: with its aliases expanded the config holds over 1048576 bytes of text"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Parse = %v, want %s…", err, want)
	}
}

// TestParseMergeWork: merges within the alias bound can still describe
// more settings than a config has; the walk refuses those itself.
func TestParseMergeWork(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("x-0: &l0 {timeout: 1m, tolerance: '1', format: govcr, allow_unmatched: false}\n")
	for i := 1; i <= 2; i++ {
		fmt.Fprintf(&b, "x-%d: &l%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 20), ", "))
	}
	b.WriteString("scenarios:\n")
	for i := range 13 {
		fmt.Fprintf(&b, "  - {<<: *l2, name: s%d, cassette: a, run: a}\n", i)
	}
	_, err := config.Parse("c.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "merge keys (<<) expand to over 20000 settings") {
		t.Errorf("Parse = %v", err)
	}
}

// TestLoadGoodStillLoads: the repository's own config, which merges an
// anchored env, is within the bound.
func TestLoadGoodStillLoads(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "callbudget.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	if _, err := config.Load(path); err != nil {
		t.Error(err)
	}
}
