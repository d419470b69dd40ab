package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/golden"
)

// plantedToken is a token-shaped value built at run time, so that the
// repository itself holds none.
var plantedToken = "ghp_" + strings.Repeat("Pl4nt3d", 5) + "X"

// plantedCassette writes testdata/scan/planted.yaml.tmpl with tok in place
// of TOKEN to a temp dir and returns its path.
func plantedCassette(t *testing.T, tok string) string {
	t.Helper()
	tmpl, err := os.ReadFile(filepath.Join("testdata", "scan", "planted.yaml.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "planted.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(string(tmpl), `"leaked":"TOKEN"`, `"leaked":"`+tok+`"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// noLeak fails the test if the planted token, or a good part of it, is
// anywhere in what the command printed.
func noLeak(t *testing.T, r result, tok string) {
	t.Helper()
	for _, part := range []string{tok, tok[4:16], tok[len(tok)-12:]} {
		if strings.Contains(r.stdout+r.stderr, part) {
			t.Errorf("the token (or %q of it) is in the output:\n%s", part, r)
		}
	}
}

func TestScanCommand(t *testing.T) {
	t.Parallel()
	planted := plantedCassette(t, plantedToken)
	dir := filepath.Dir(planted)
	clean := filepath.Join("testdata", "scan", "clean.yaml")
	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		golden string   // testdata/scan/NAME.golden, with the temp dir as {{dir}}
		want   []string // in stderr
	}{
		{name: "planted", args: []string{"scan", planted}, code: 2, golden: "planted",
			want: []string{planted + ":21: interaction 1: response.body: GitHub personal access token ghp_… (40 characters)"}},
		{name: "planted and clean", args: []string{"scan", clean, planted}, code: 2, want: []string{"1 secret(s) found in 1 cassette(s)"}},
		{name: "clean", args: []string{"scan", clean}, code: 0},
		{name: "allowed", args: []string{"scan", "--allow-secret", `^ghp_(Pl4nt3d){5}X$`, planted}, code: 0},
		{name: "allowed twice", args: []string{"scan", "--allow-secret", `^gho_`, "--allow-secret", `^ghp_Pl4,?nt3d`, planted}, code: 0},
		{name: "allowed from the environment", args: []string{"scan", planted}, env: []string{"CALLBUDGET_ALLOW_SECRET=^ghp_Pl4nt3d"}, code: 0},
		{name: "allow matches something else", args: []string{"scan", "--allow-secret", `^gho_`, planted}, code: 2},
		{name: "bad allow pattern", args: []string{"scan", "--allow-secret", `ghp_(`, clean}, code: 2, want: []string{`--allow-secret "ghp_(": error parsing regexp`, "Run 'callbudget --help'"}},
		{name: "no cassette", args: []string{"scan"}, code: 2, want: []string{"scan: name at least one cassette"}},
		{name: "missing cassette", args: []string{"scan", filepath.Join(dir, "nope.yaml")}, code: 2, want: []string{"nope.yaml: cannot read cassette"}},
		{name: "count refuses", args: []string{"count", planted}, code: 2, want: []string{"interaction 1: response.body: GitHub personal access token ghp_…"}},
		{name: "count allowed", args: []string{"count", "--allow-secret", "^ghp_", planted}, code: 0},
		{name: "known token from the environment", args: []string{"scan", clean}, env: []string{"GITHUB_TOKEN=nothing here"}, code: 2,
			want: []string{"interaction 1: response.body: known secret … (12 characters)"}},
		{name: "the replay dummy is no secret", args: []string{"scan", clean}, env: []string{"GITHUB_TOKEN=callbudget-replay-dummy-token"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(tt.env...), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
			noLeak(t, r, plantedToken)
			if tt.code != 0 && strings.HasPrefix(tt.args[0], "count") && r.stdout != "" {
				t.Errorf("a refused count printed a report:\n%s", r.stdout)
			}
			if tt.golden != "" {
				got := strings.ReplaceAll(r.String(), dir, "{{dir}}")
				golden.Check(t, filepath.Join("testdata", "scan", tt.golden+".golden"), []byte(got))
			}
		})
	}
}

// TestScanBeforeRunning: run and check refuse a cassette holding a token
// before the command runs (it would create a file).
func TestScanBeforeRunning(t *testing.T) {
	t.Parallel()
	planted := plantedCassette(t, plantedToken)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	config := filepath.Join(dir, "callbudget.yaml")
	os.WriteFile(config, []byte("scenarios:\n  - name: planted\n    cassette: "+planted+"\n    run: touch "+marker+"\n"), 0o644)
	tests := []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "--cassette", planted, "--", "touch", marker}},
		{"check", []string{"check", "--config", config, "--allow-new"}},
		{"update", []string{"update", "--config", config}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, testEnv(), tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r)
			}
			if !strings.Contains(r.stdout+r.stderr, "interaction 1: response.body: GitHub personal access token ghp_… (40 characters)") {
				t.Errorf("the finding is not named:\n%s", r)
			}
			noLeak(t, r, plantedToken)
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the command ran")
			}
		})
	}
	r := runCLI(t, testEnv(), "run", "--allow-secret", "^ghp_", "--cassette", planted, "--", "touch", marker)
	if _, err := os.Stat(marker); r.code != 0 || err != nil {
		t.Errorf("with --allow-secret the command should run: %s", r)
	}
}

// TestRepoCassettesScanClean: every cassette of the repository passes the
// scan that run, count and check apply.
func TestRepoCassettesScanClean(t *testing.T) {
	t.Parallel()
	var paths []string
	for _, root := range []string{"../../testdata", "testdata", "../../replay/testdata", "../../examples"} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
				if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), "interactions:") {
					paths = append(paths, p)
				}
			}
			return nil
		})
	}
	if len(paths) < 4 {
		t.Fatalf("found only %d cassettes: %v", len(paths), paths)
	}
	r := runCLI(t, testEnv(), append([]string{"scan"}, paths...)...)
	if r.code != 0 {
		t.Errorf("the repository's cassettes do not scan clean:\n%s", r)
	}
}
