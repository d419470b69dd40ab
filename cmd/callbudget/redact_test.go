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
