package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The config's redact: patterns are secrets of the user's own: a cassette
// that still holds a match is refused like one holding a token, and the
// match is never printed.
func TestConfigRedactRefusesCassette(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret = "corp-7f3a9c01d2e4"
	files := map[string]string{
		"callbudget.yaml": "redact:\n  - 'corp-[0-9a-f]{12}'\nscenarios:\n  - name: s\n    cassette: c.yaml\n    run: \"true\"\n",
		"c.yaml": "version: 2\ninteractions:\n- request: {method: GET, url: 'https://api.github.com/user'}\n" +
			"  response: {code: 200, body: '{\"login\":\"x\",\"note\":\"" + secret + "\"}'}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"check", "--config", filepath.Join(dir, "callbudget.yaml"), "--allow-new"}, &stdout, &stderr, nil)
	code := exitCode(err, &stderr)
	if code != exitError {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitError, stdout.String(), stderr.String())
	}
	out := stdout.String() + stderr.String()
	if strings.Contains(out, secret) {
		t.Errorf("the redacted value was printed:\n%s", out)
	}
	if !strings.Contains(out, "c.yaml") {
		t.Errorf("the report does not name the cassette:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "callbudget.budget.yaml")); err == nil {
		t.Errorf("a budget file was written")
	}
}

// scan, run and count judge a cassette by the config's redact: patterns as
// check does, and import scrubs a converted recording with them as record
// does: one verdict, whatever the command.
func TestConfigRedactEveryCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret = "corp-7f3a9c01d2e4"
	cfg := filepath.Join(dir, "callbudget.yaml")
	writeFile(t, cfg, "redact:\n  - 'corp-[0-9a-f]{12}'\nscenarios:\n  - name: s\n    cassette: c.yaml\n    run: \"true\"\n")
	cas := filepath.Join(dir, "c.yaml")
	writeFile(t, cas, "version: 2\ninteractions:\n- request: {method: GET, url: 'https://api.github.com/user'}\n"+
		"  response: {code: 200, body: '{\"login\":\"x\",\"note\":\""+secret+"\"}'}\n")
	for _, args := range [][]string{
		{"scan", cas},
		{"run", "--cassette", cas, "--", "true"},
		{"count", cas},
	} {
		r := runCLI(t, testEnv(), append([]string{"--config", cfg}, args...)...)
		if r.code != exitError || !strings.Contains(r.stderr+r.stdout, "redact pattern") || strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("callbudget %s: want exit %d naming the redact pattern, never the value\n%s", args[0], exitError, r)
		}
	}
	// A HAR holding the value: import replaces it, and the cassette it
	// writes passes the scan the other commands run.
	har := filepath.Join(dir, "session.har")
	writeFile(t, har, `{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://api.github.com/user","headers":[]},`+
		`"response":{"status":200,"statusText":"OK","headers":[{"name":"Content-Type","value":"application/json"}],"content":{"text":"{\"note\":\"`+secret+`\"}"}}}]}}`)
	out := filepath.Join(dir, "out")
	r := runCLI(t, testEnv(), "--config", cfg, "import", har, "--out", out)
	if r.code != exitOK {
		t.Fatalf("import: %s", r)
	}
	data, err := os.ReadFile(filepath.Join(out, "session.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(secret)) {
		t.Errorf("import wrote the redacted value:\n%s", data)
	}
	if r := runCLI(t, testEnv(), "--config", cfg, "scan", filepath.Join(out, "session.yaml")); r.code != exitOK {
		t.Errorf("the imported cassette does not pass the scan: %s", r)
	}
}
