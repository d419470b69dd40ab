package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/replay"
)

// TestInterceptRecordThenReplay: each client of TestInterceptReplayDefaultHost
// (PyGithub, urllib, requests, curl, Go, gh), with no base URL, is first
// recorded by callbudget record through its interception face, against an
// upstream whose bodies and Link headers carry https://api.github.com/… URLs
// as GitHub's do (a replay server keeping the recorded URLs), then replayed
// from that recording by callbudget run: counted exactly, nothing unmatched
// or refused. TestInterceptReplayAddedCall shows one added call as +1.
func TestInterceptRecordThenReplay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := replay.Load(irCassette(t), replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	upstream, err := replay.NewServer(c, replay.Options{NoIntercept: true, KeepURLs: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { upstream.Close() })
	const token = "ghp_RoundTripRecordingToken0000000000001"
	for _, cl := range irClients(t, dir) {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			cas := filepath.Join(t.TempDir(), cl.name+".yaml")
			args := append([]string{"record", "--cassette", cas, "--upstream", upstream.URL(), "--timeout", "2m", "--"}, cl.argv(dir, false)...)
			r := runCLI(t, irEnv(append(cl.env, "GITHUB_TOKEN="+token)...), args...)
			if r.code != exitOK || !strings.Contains(r.stderr, ": ok") {
				t.Fatalf("callbudget record: exit %d\n%s", r.code, r)
			}
			data, err := os.ReadFile(cas)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{token, "127.0.0.1"} {
				if strings.Contains(string(data), leak) {
					t.Errorf("the recording holds %q", leak)
				}
			}
			want := 0
			for _, c := range cl.calls {
				n, _ := strconv.Atoi(strings.Fields(c)[0])
				want += n
			}
			if n := strings.Count(string(data), "url: https://api.github.com/"); n != want {
				t.Errorf("%d interactions recorded for https://api.github.com, want %d", n, want)
			}
			rr, s := irRun(t, irEnv(cl.env...), cas, nil, cl.argv(dir, false)...)
			irCheckExact(t, cl.name+" recorded, then replayed", rr, s, cl.calls)
		})
	}
}
