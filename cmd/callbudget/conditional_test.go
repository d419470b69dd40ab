package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// TestCheckDroppedConditionalHeader: a pipeline that used an ETag cache
// when it was recorded (the second GET sent If-None-Match and got a free
// 304) is budgeted one paid core call; a change that drops the cache
// makes that call paid: check is over budget by one in core and says why.
func TestCheckDroppedConditionalHeader(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/bin/curl"); err != nil {
		t.Skip("curl is not installed")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "etag")
	c := cassette.New(name)
	auth := "token [REDACTED]"
	c.AddInteraction(&cassette.Interaction{
		Request: cassette.Request{Method: "GET", URL: "https://api.github.com/repos/o/r", Headers: http.Header{"Authorization": {auth}}},
		Response: cassette.Response{Code: 200, Status: "200 OK", Body: `{"full_name":"o/r"}`,
			Headers: http.Header{"Content-Type": {"application/json"}, "Etag": {`W/"abc"`}}},
	})
	c.AddInteraction(&cassette.Interaction{
		Request:  cassette.Request{Method: "GET", URL: "https://api.github.com/repos/o/r", Headers: http.Header{"Authorization": {auth}, "If-None-Match": {`W/"abc"`}}},
		Response: cassette.Response{Code: 304, Status: "304 Not Modified", Headers: http.Header{"Etag": {`W/"abc"`}}},
	})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	const get = `curl -sf -o /dev/null -H "Authorization: token $GITHUB_TOKEN" "$GITHUB_API_URL/repos/o/r"`
	config := func(second string) string {
		return "scenarios:\n  - name: etag\n    cassette: etag.yaml\n    intercept: false\n    run: |\n      " + get + " && " + second + "\n"
	}
	writeFile(t, filepath.Join(dir, "callbudget.yaml"), config(`test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $GITHUB_TOKEN" -H 'If-None-Match: W/"abc"' "$GITHUB_API_URL/repos/o/r")" = 304`))
	if res := callbudget(t, dir, "update"); res.code != 0 {
		t.Fatalf("update: %s", res)
	}
	budget, err := os.ReadFile(filepath.Join(dir, "callbudget.budget.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(budget), "total: 1\n") || !strings.Contains(string(budget), "core: 1\n") {
		t.Fatalf("budget of a run whose 304 is free:\n%s", budget)
	}

	writeFile(t, filepath.Join(dir, "callbudget.yaml"), config(get))
	res := callbudget(t, dir, "check")
	if res.code != 1 {
		t.Fatalf("check with the cache dropped: exit %d, want 1 (over budget)\n%s", res.code, res)
	}
	for _, want := range []string{"conditional header dropped", "If-None-Match"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("check's report does not say %q:\n%s", want, res.stdout)
		}
	}
}
