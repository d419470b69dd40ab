package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestProgressRecord: record says when the command starts and ends, with
// the interactions it wrote.
func TestProgressRecord(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v3/repos/o/r", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"full_name":"o/r"}`)
	})
	upstream := httptest.NewServer(mux)
	t.Cleanup(upstream.Close) // after the parallel subtests
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		calls string
		code  int
		want  []*regexp.Regexp
	}{
		{name: "written", calls: "GET /repos/o/r;GET /repos/o/r", code: exitOK, want: []*regexp.Regexp{
			regexp.MustCompile(`(?m)^callbudget: rec-written: started\n`),
			regexp.MustCompile(`(?m)^callbudget: rec-written: 2 calls in \d+\.\ds \(2 interactions written\)\ncallbudget: recorded 2 interactions in `),
		}},
		{name: "failed", calls: "GET /nope", code: exitError, want: []*regexp.Regexp{
			regexp.MustCompile(`(?m)^callbudget: rec-failed: started\n`),
			regexp.MustCompile(`(?m)^callbudget: rec-failed: 1 call in \d+\.\ds \(error\)\n`),
		}},
		{name: "quiet", args: []string{"--quiet"}, calls: "GET /repos/o/r", code: exitOK, want: []*regexp.Regexp{
			regexp.MustCompile(`\Acallbudget: record: neither GITHUB_TOKEN nor GH_TOKEN is set; recording unauthenticated requests\ncallbudget: recorded 1 interactions in \S+ \(1 in all\)\n\z`),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cassette := filepath.Join(dir, "rec-"+tc.name+".yaml")
			args := append([]string{"record", "--cassette", cassette, "--upstream", upstream.URL + "/api/v3"}, tc.args...)
			args = append(args, "--", bin)
			env := testEnv(clientEnv + "=" + tc.calls)
			if tc.name == "failed" {
				// The test client exits 0 on a 404; a command that fails
				// is what fails the recording.
				args = append(args[:len(args)-1], "sh", "-c", `"$0"; exit 1`, bin)
			}
			r := runCLI(t, env, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r)
			}
			for _, re := range tc.want {
				if !re.MatchString(r.stderr) {
					t.Errorf("stderr does not match %s:\n%s", re, r.stderr)
				}
			}
		})
	}
}
