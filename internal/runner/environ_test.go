package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnviron(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		base  []string
		extra map[string]string
		want  []string // before the contract's variables, which always end it
	}{
		{"empty", nil, nil, nil},
		{"kept in order", []string{"B=2", "A=1"}, nil, []string{"B=2", "A=1"}},
		{"malformed dropped", []string{"NOEQUALS", "=x", "A=1=2"}, nil, []string{"A=1=2"}},
		{"contract replaced", []string{"CALLBUDGET_SCENARIO_RUN=x", "GITHUB_API_URL=https://api.github.com", "GH_TOKEN=t", "CALLBUDGET_REPLAY_URL=x", "GITHUB_GRAPHQL_URL=y", "GITHUB_TOKEN=z"}, nil, nil},
		{"secrets dropped", []string{"GITHUB_ENTERPRISE_TOKEN=a", "GH_ENTERPRISE_TOKEN=b", "ACTIONS_RUNTIME_TOKEN=c", "ACTIONS_ID_TOKEN_REQUEST_TOKEN=d",
			"ACTIONS_RUNTIME_URL=u", "ACTIONS_CACHE_URL=v", "GITHUB_OUTPUT=/o", "GITHUB_ENV=/e", "GITHUB_PATH=/p", "GITHUB_STEP_SUMMARY=/s", "GITHUB_STATE=/t",
			"INPUT_GITHUB-TOKEN=e", "INPUT_GITHUB_TOKEN=f", "INPUT_MY-TOKEN=g", "input_github-token=h", "INPUT_CONFIG=callbudget.yaml"}, nil, []string{"INPUT_CONFIG=callbudget.yaml"}},
		{"extra over base, sorted", []string{"A=1", "B=2"}, map[string]string{"C": "3", "A": "x"}, []string{"B=2", "A=x", "C=3"}},
		{"extra cannot set the contract", nil, map[string]string{"GITHUB_API_URL": "https://api.github.com", "GITHUB_TOKEN": "real"}, nil},
		{"extra cannot hold '='", nil, map[string]string{"A=B": "c", "": "d"}, nil},
		{"PYTHONUNBUFFERED of the caller kept", []string{"PYTHONUNBUFFERED=0"}, nil, []string{"PYTHONUNBUFFERED=0"}},
		{"PYTHONUNBUFFERED of the scenario kept", nil, map[string]string{"PYTHONUNBUFFERED": ""}, []string{"PYTHONUNBUFFERED="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := environ(tc.base, "http://127.0.0.1:1", tc.extra, "tag", nil)
			contract := []string{
				"CALLBUDGET_REPLAY_URL=http://127.0.0.1:1",
				"CALLBUDGET_SCENARIO_RUN=tag",
				"GH_TOKEN=" + DummyToken,
				"GITHUB_API_URL=http://127.0.0.1:1",
				"GITHUB_GRAPHQL_URL=http://127.0.0.1:1/graphql",
				"GITHUB_TOKEN=" + DummyToken,
				"NO_PROXY=127.0.0.1,localhost,::1",
				"no_proxy=127.0.0.1,localhost,::1",
			}
			want := slices.Clone(tc.want)
			if !slices.ContainsFunc(want, func(kv string) bool { return strings.HasPrefix(kv, "PYTHONUNBUFFERED=") }) {
				want = append(want, "PYTHONUNBUFFERED=1") // Python's output live
			}
			if want = append(want, contract...); !slices.Equal(got, want) {
				t.Errorf("environ:\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestLookPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, prog, path, want string }{
		{"found", "prog", "/nonexistent:" + dir, prog},
		{"with a slash", "./prog", "", "./prog"},
		{"not executable", "data", dir, ""},
		{"a directory", "sub", dir, ""},
		{"relative entries skipped", "prog", ".:" + filepath.Base(dir), ""},
		{"empty PATH", "prog", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := lookPath(tc.prog, tc.path)
			if got != tc.want || (err != nil) != (tc.want == "") {
				t.Errorf("lookPath(%q, %q) = %q, %v; want %q", tc.prog, tc.path, got, err, tc.want)
			}
		})
	}
}

// TestEnvironProxy: NO_PROXY always holds the loopback names, merged with
// the caller's and the scenario's; with an interception face, HTTPS_PROXY
// and the CA variables point at it, whatever the caller had.
func TestEnvironProxy(t *testing.T) {
	t.Parallel()
	base := []string{"HTTPS_PROXY=http://corp:3128", "HTTP_PROXY=http://corp:3128", "no_proxy=.corp.example,localhost", "SSL_CERT_FILE=/etc/mine.pem"}
	got := environ(base, "http://127.0.0.1:1", map[string]string{"NO_PROXY": "internal.example"}, "tag", nil)
	want := ".corp.example,localhost,internal.example,127.0.0.1,::1"
	if getenv(got, "NO_PROXY") != want || getenv(got, "no_proxy") != want {
		t.Errorf("NO_PROXY %q, no_proxy %q, want %q", getenv(got, "NO_PROXY"), getenv(got, "no_proxy"), want)
	}
	if getenv(got, "HTTPS_PROXY") != "http://corp:3128" || getenv(got, "SSL_CERT_FILE") != "/etc/mine.pem" {
		t.Errorf("without interception the caller's proxy and CA are kept: %q", got)
	}
	got = environ(base, "http://127.0.0.1:1", nil, "tag", &Interception{ProxyURL: "http://127.0.0.1:2", CABundle: "/tmp/b.pem"})
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		if v := getenv(got, k); v != "http://127.0.0.1:2" {
			t.Errorf("%s = %q", k, v)
		}
	}
	for _, k := range CABundleEnv {
		if v := getenv(got, k); v != "/tmp/b.pem" {
			t.Errorf("%s = %q", k, v)
		}
	}
	if v := getenv(got, "NODE_USE_ENV_PROXY"); v != "1" {
		t.Errorf("NODE_USE_ENV_PROXY = %q, want 1 (Node 24+ fetch through HTTPS_PROXY)", v)
	}
	if n := strings.Count(strings.Join(got, "\n"), "SSL_CERT_FILE="); n != 1 {
		t.Errorf("SSL_CERT_FILE set %d times", n)
	}
}
