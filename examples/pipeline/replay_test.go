package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/replay"
)

// TestReplay replays each committed cassette for run, in-process through
// the counting Transport and over HTTP through the replay Server, and
// checks the calls are exactly the scenario's figures.
func TestReplay(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		c := loadCassette(t, sc.name)
		ev := loadEvent(t, sc.name)
		t.Run(sc.name+"/transport", func(t *testing.T) {
			t.Parallel()
			tr := replay.NewTransport(c, replay.Options{})
			// The default base URL, https://api.github.com/: the
			// Transport answers whatever host is asked.
			gh, err := newClient("", "dummy-token", &http.Client{Transport: tr})
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			if err := run(context.Background(), gh, ev, ".packit.yaml", &log); err != nil {
				t.Fatalf("run: %v\n%s", err, log.String())
			}
			checkCounts(t, tr.Counts(), sc.want)
		})
		t.Run(sc.name+"/server", func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, c)
			gh, err := newClient(srv.URL(), "dummy-token", nil)
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			if err := run(context.Background(), gh, ev, ".packit.yaml", &log); err != nil {
				t.Fatalf("run: %v\n%s", err, log.String())
			}
			checkCounts(t, srv.Counts(), sc.want)
		})
	}
}

// TestReplayBinary builds the example and runs it as a separate process
// against the replay Server, as callbudget check runs the scenario's
// command: from the repo root, with GITHUB_API_URL and a dummy
// GITHUB_TOKEN.
func TestReplayBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example: skipped in -short mode")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to build the example: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "pipeline")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, loadCassette(t, sc.name))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--event", eventFile(sc.name))
			cmd.Dir = repoRoot
			cmd.Env = append(os.Environ(), "GITHUB_API_URL="+srv.URL(), "GITHUB_TOKEN=callbudget-dummy-token")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s --event %s: %v\n%s", bin, eventFile(sc.name), err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "pipeline: done: success") {
				t.Errorf("log does not end in success:\n%s", stderr.String())
			}
			checkCounts(t, srv.Counts(), sc.want)
		})
	}
}

func loadCassette(t *testing.T, name string) *replay.Cassette {
	t.Helper()
	c, err := replay.Load(filepath.Join(repoRoot, cassetteFile(name)), replay.LoadOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	return c
}

func startServer(t *testing.T, c *replay.Cassette) *replay.Server {
	t.Helper()
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// checkCounts asserts a replay served exactly the calls in want, by
// operation, each from the cassette and once.
func checkCounts(t *testing.T, c replay.Counts, want map[string]int) {
	t.Helper()
	if len(c.Unmatched) > 0 {
		t.Errorf("unmatched requests (the cassette does not fit the code; %s): %+v", reRecord, c.Unmatched)
	}
	if c.Repeats != 0 {
		t.Errorf("Repeats = %d, want 0", c.Repeats)
	}
	got := map[string]int{}
	for _, e := range c.Endpoints {
		got[e.Operation] += e.Count
	}
	if !maps.Equal(got, want) {
		t.Errorf("calls by operation:\n%s\nwant:\n%s", formatCounts(got), formatCounts(want))
	}
	total := 0
	for _, n := range want {
		total += n
	}
	if c.Total != total {
		t.Errorf("Total = %d, want %d", c.Total, total)
	}
}

func formatCounts(m map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "  %-28s %d\n", k, m[k])
	}
	return b.String()
}
