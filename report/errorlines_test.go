package report

import (
	"bytes"
	"strings"
	"testing"
)

// An error of several lines (the secret scan's findings) is shown as
// lines, in the text report and in Markdown, never as a literal "\n"; a
// control character in a line is still escaped.
func TestErrorLinesAreLines(t *testing.T) {
	r := &Report{Scenarios: []Scenario{{Name: "s", Status: StatusError,
		Error: "2 secret(s) found:\n  a.yaml:4: interaction 0: request.headers.Authorization\n  a.yaml:9: \x1b[31mred\n"}}}
	var text, md bytes.Buffer
	if err := r.WriteText(&text, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if strings.Contains(out, `\n`) || strings.Contains(out, "\x1b") {
			t.Errorf("%s: a literal \\n or a raw escape:\n%s", name, out)
		}
	}
	for _, want := range []string{"  error: 2 secret(s) found:\n    a.yaml:4: interaction 0: request.headers.Authorization\n    a.yaml:9: \\x1b[31mred\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(md.String(), "**Error:** 2 secret\\(s\\) found:\n- a.yaml:4: interaction 0: request.headers.Authorization\n- a.yaml:9: ") {
		t.Errorf("markdown lacks the findings as a list:\n%s", md.String())
	}
}
