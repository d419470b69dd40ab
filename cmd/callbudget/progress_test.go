package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/report"
)

// durationRE matches the wall time of a progress end line
// ("pr-opened: 9 calls in 1.3s (ok)"), which goldens hold as TIME.
var durationRE = regexp.MustCompile(`(: \d+ calls? in )[0-9.hms]+( \()`)

func maskDurations(s string) string { return durationRE.ReplaceAllString(s, "${1}TIME${2}") }

// progressConfig writes a config of shell scenarios (name, then run:, in
// order) against the example's cassette, and returns its path.
func progressConfig(t *testing.T, scenarios ...string) string {
	t.Helper()
	cassette, err := filepath.Abs(prOpened)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("scenarios:\n")
	for i := 0; i+1 < len(scenarios); i += 2 {
		fmt.Fprintf(&b, "  - name: %s\n    cassette: %s\n    run: %q\n    timeout: 1m\n", scenarios[i], cassette, scenarios[i+1])
	}
	cfg := filepath.Join(t.TempDir(), "callbudget.yaml")
	writeFile(t, cfg, b.String())
	return cfg
}

// TestProgressLines: check and update say on stderr when each scenario
// starts and ends, with its calls and outcome, and pass its output on
// after its name; stdout holds the report and nothing else; --quiet and
// CALLBUDGET_QUIET drop the progress lines and keep the output.
func TestProgressLines(t *testing.T) {
	t.Parallel()
	cfg := progressConfig(t,
		"pr-opened", `echo opened; echo "to stderr" >&2`,
		"pr-synchronize", `printf 'no newline'`,
		"broken", `echo failing; exit 3`)
	endRE := func(name string, calls int, outcome string) *regexp.Regexp {
		noun := "calls"
		if calls == 1 {
			noun = "call"
		}
		return regexp.MustCompile(`(?m)^callbudget: ` + name + `: ` + fmt.Sprint(calls) + ` ` + noun + ` in \d+\.\ds \(` + regexp.QuoteMeta(outcome) + `\)$`)
	}
	output := []string{
		"pr-opened      | opened\n", "pr-opened      | to stderr\n",
		"pr-synchronize | no newline\n",
		"broken         | failing\n",
	}

	loud := runCLI(t, testEnv(), "check", "--config", cfg, "--format", "json")
	if loud.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", loud.code, exitError, loud)
	}
	for _, name := range []string{"pr-opened", "pr-synchronize", "broken"} {
		start := strings.Index(loud.stderr, "callbudget: "+name+": started\n")
		outcome := "new"
		if name == "broken" {
			outcome = "error"
		}
		end := endRE(name, 0, outcome).FindStringIndex(loud.stderr)
		if start < 0 || end == nil || end[0] < start {
			t.Errorf("%s: no start line, or no end line (…, %s) after it:\n%s", name, outcome, loud.stderr)
		}
	}
	for _, line := range output {
		if !strings.Contains(loud.stderr, line) {
			t.Errorf("stderr has no line %q:\n%s", line, loud.stderr)
		}
	}
	r, err := report.ReadJSON(strings.NewReader(loud.stdout), 1<<20)
	if err != nil || len(r.Scenarios) != 3 || !strings.HasSuffix(loud.stdout, "}\n") {
		t.Fatalf("stdout is not the JSON report alone (%v):\n%s", err, loud.stdout)
	}

	for _, quiet := range []struct {
		name string
		env  []string
		args []string
	}{
		{name: "--quiet", args: []string{"--quiet"}},
		{name: "-q", args: []string{"-q"}},
		{name: "CALLBUDGET_QUIET", env: []string{"CALLBUDGET_QUIET=1"}},
	} {
		t.Run(quiet.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(quiet.env...), append([]string{"check", "--config", cfg, "--format", "json"}, quiet.args...)...)
			if r.code != exitError {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r)
			}
			if r.stdout != loud.stdout {
				t.Errorf("stdout differs from the run with progress lines:\n%s\nwant:\n%s", r.stdout, loud.stdout)
			}
			if strings.Contains(r.stderr, ": started") || regexp.MustCompile(`calls? in `).MatchString(r.stderr) {
				t.Errorf("progress lines with %s:\n%s", quiet.name, r.stderr)
			}
			for _, line := range append(output, "callbudget: scenario failed: broken") {
				if !strings.Contains(r.stderr, line) {
					t.Errorf("stderr has no %q:\n%s", line, r.stderr)
				}
			}
		})
	}

	t.Run("update", func(t *testing.T) {
		t.Parallel()
		cfg := progressConfig(t, "a", "true", "b", `"$CALLBUDGET_TEST_BIN"`)
		bin, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		env := testEnv("CALLBUDGET_TEST_BIN="+bin, clientEnv+"=GET /repos/octo-org/hello-world/pulls/42")
		first := runCLI(t, env, "update", "--config", cfg)
		second := runCLI(t, env, "update", "--config", cfg)
		for _, c := range []struct {
			r     result
			lines []*regexp.Regexp
		}{
			{first, []*regexp.Regexp{endRE("a", 0, "new"), endRE("b", 1, "new")}},
			{second, []*regexp.Regexp{endRE("a", 0, "unchanged"), endRE("b", 1, "unchanged")}},
		} {
			if c.r.code != exitOK {
				t.Fatalf("exit %d\n%s", c.r.code, c.r)
			}
			for _, re := range c.lines {
				if !re.MatchString(c.r.stderr) {
					t.Errorf("stderr does not match %s:\n%s", re, c.r.stderr)
				}
			}
		}
	})
}

// TestProgressLive: a scenario's output reaches stderr as the command
// writes it, not when it ends: the command prints a line, then waits
// until the test has read that line from callbudget's stderr (a pipe).
// Two scenarios at once keep their lines whole: one writes half a line,
// the other a whole line, then the first the rest of its own.
func TestProgressLive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seen, half, other := filepath.Join(dir, "seen"), filepath.Join(dir, "half"), filepath.Join(dir, "other")
	wait := func(f string) string { return fmt.Sprintf(`while [ ! -e %s ]; do sleep 0.02; done`, f) }
	cfg := progressConfig(t,
		"slow", "echo waiting; "+wait(seen)+"; echo done",
		"half", "printf 'first half, '; touch "+half+"; "+wait(other)+"; echo second half",
		"whole", wait(half)+"; echo whole line; touch "+other)

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var stdout bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"check", "--config", cfg, "--jobs", "3", "--allow-new"}, &stdout, pw, testEnv())
		pw.Close()
	}()

	var stderr strings.Builder
	sc := bufio.NewScanner(pr)
	sawWaiting := false
	for sc.Scan() {
		line := sc.Text()
		stderr.WriteString(line + "\n")
		if strings.HasPrefix(line, "callbudget: slow: ") && strings.Contains(line, " in ") && !sawWaiting {
			t.Fatalf("slow ended before its output was on stderr:\n%s", stderr.String())
		}
		if line == "slow  | waiting" && !sawWaiting {
			sawWaiting = true
			select {
			case err := <-done:
				t.Fatalf("check returned (%v) before the line was read", err)
			default:
			}
			writeFile(t, seen, "")
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("check: %v\n%s", err, stderr.String())
	}
	if !sawWaiting {
		t.Fatalf("no line %q on stderr:\n%s", "slow  | waiting", stderr.String())
	}
	got := stderr.String()
	whole, rest := strings.Index(got, "whole | whole line\n"), strings.Index(got, "half  | first half, second half\n")
	if whole < 0 || rest < 0 || rest < whole {
		t.Errorf("the lines of two scenarios mixed:\n%s", got)
	}
	if strings.Contains(stdout.String(), "waiting") || formatOf(t, stdout.String()) != "text" {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

// TestProgressFenced: inside GitHub Actions, the lines of scenarios that
// run at once, and the progress lines, are all inside one
// ::stop-commands:: fence, opened before the first scenario starts and
// closed, on a line of its own, after the last has ended.
func TestProgressFenced(t *testing.T) {
	t.Parallel()
	cfg := progressConfig(t,
		"a", `echo '::error::from a'; echo '::stop-commands::mine'; echo '::mine::'`,
		"b", `echo '::warning::from b'; printf '::set-output name=x::y'`)
	// The workspace gets the JSON report the action step outputs.
	r := runCLI(t, testEnv("GITHUB_ACTIONS=true", "CI=true", "GITHUB_WORKSPACE="+t.TempDir()), "check", "--config", cfg, "--jobs", "2", "--format", "json", "--allow-new")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	// Before the group: what check reads before any scenario runs (here,
	// that there is no event); after it, the action's own annotations (no
	// GITHUB_OUTPUT …).
	m := regexp.MustCompile(`^(?:::warning::[^\n]*\n)*::group::scenario output: a, b\n::stop-commands::([A-Z2-7]{26})\n([\s\S]*\n)::([A-Z2-7]{26})::\n::endgroup::\n([\s\S]*)$`).FindStringSubmatch(r.stderr)
	if m == nil || m[1] != m[3] {
		t.Fatalf("stderr is not one group and one fence:\n%s", r.stderr)
	}
	inside, after := m[2], m[4]
	if strings.Contains(after, "a | ") || strings.Contains(after, "b | ") || strings.Contains(after, ": started") {
		t.Errorf("scenario or progress lines after the fence:\n%s", after)
	}
	for _, want := range []string{"callbudget: a: started\n", "callbudget: b: started\n", "a | ::error::from a\n", "a | ::mine::\n", "b | ::set-output name=x::y\n"} {
		if !strings.Contains(inside, want) {
			t.Errorf("no %q inside the fence:\n%s", want, inside)
		}
	}
	if strings.Contains(inside, "\r") || strings.Contains(inside, "\x1b") {
		t.Errorf("a status line inside GitHub Actions:\n%q", inside)
	}
}

// fakeTerminal is what a terminal was sent.
type fakeTerminal struct{ bytes.Buffer }

// TestProgressStatusLine: on a terminal the status line is redrawn in
// place, cut to the width, and cleared before any other line and at the
// end.
func TestProgressStatusLine(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var term fakeTerminal
	p := newProgress(&term, progressOptions{
		Lines: true, Live: true, Tick: time.Hour, // redrawn by the events only
		Width: func() int { return 40 },
		Now:   func() time.Time { return now },
		Names: []string{"pr-opened", "pr-synchronize"},
	})
	p.start("pr-opened")
	now = now.Add(time.Second)
	p.start("pr-synchronize")
	now = now.Add(11 * time.Second)
	out := p.output("pr-opened")
	out.Write([]byte("one\ntw"))
	out.Write([]byte("o\n"))
	now = now.Add(500 * time.Millisecond)
	p.end("pr-opened", 9, 12500*time.Millisecond, "ok")
	p.close()

	want := "callbudget: pr-opened: started\n" +
		"\rrunning: pr-opened 0s\x1b[K" +
		"\r\x1b[Kcallbudget: pr-synchronize: started\n" +
		"\rrunning: pr-opened 1s, +1 more\x1b[K" +
		"\r\x1b[Kpr-opened      | one\n" +
		"\rrunning: pr-opened 12s, +1 more\x1b[K" +
		"\r\x1b[Kpr-opened      | two\n" +
		"\rrunning: pr-opened 12s, +1 more\x1b[K" +
		"\r\x1b[Kcallbudget: pr-opened: 9 calls in 12.5s (ok)\n" +
		"\rrunning: pr-synchronize 11s\x1b[K" +
		"\r\x1b[K"
	if got := term.String(); got != want {
		t.Errorf("the terminal got\n%q\nwant\n%q", got, want)
	}
}

func TestStatusLine(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	running := []runningScenario{{"pr-opened", now.Add(-72 * time.Second)}, {"näme\x1b[31m", now.Add(-900 * time.Millisecond)}}
	for _, tc := range []struct {
		name    string
		running []runningScenario
		width   int
		want    string
	}{
		{name: "none", width: 80, want: ""},
		{name: "fits", running: running, width: 80, want: `running: pr-opened 1m12s, näme\x1b[31m 0s`},
		{name: "fewer", running: running, width: 35, want: "running: pr-opened 1m12s, +1 more"},
		{name: "none fits", running: running, width: 25, want: "running: +2 more"},
		{name: "narrow", running: running, width: 3, want: "running: …"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := statusLine(tc.running, now, tc.width); got != tc.want {
				t.Errorf("statusLine = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                         "0.0s",
		1349 * time.Millisecond:   "1.3s",
		59940 * time.Millisecond:  "59.9s",
		125400 * time.Millisecond: "2m5s",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}
