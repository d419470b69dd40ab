package runner_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/runner"
)

// TestOpenFence: a fence opened by the caller around the output of several
// commands brackets everything written through it, ends on a line of its
// own, and lets nothing through once closed.
func TestOpenFence(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	f := runner.OpenFence(&out)
	if !regexp.MustCompile(`^::stop-commands::[A-Z2-7]{26}\n$`).MatchString(out.String()) {
		t.Fatalf("opener %q", out.String())
	}
	f.Write([]byte("a | ::error::from a\n"))
	f.Write([]byte("b | no newline"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Write([]byte("::error::late\n")); n != 0 || !errors.Is(err, runner.ErrFenceClosed) {
		t.Errorf("Write after Close = %d, %v; want 0, ErrFenceClosed", n, err)
	}
	f.Close() // a second Close writes nothing
	m := regexp.MustCompile(`^::stop-commands::([A-Z2-7]{26})\na \| ::error::from a\nb \| no newline\n::([A-Z2-7]{26})::\n$`).FindStringSubmatch(out.String())
	if m == nil || m[1] != m[2] {
		t.Errorf("fenced output:\n%s", out.String())
	}
	var other strings.Builder
	runner.OpenFence(&other)
	if strings.Contains(other.String(), m[1]) {
		t.Errorf("two fences use the same token %s", m[1])
	}
}
