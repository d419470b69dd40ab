package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports instead of
// failing the test that runs it.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) { r.fatals = append(r.fatals, fmt.Sprint(args...)) }

// setUpdate sets what -update would for one test.
func setUpdate(t *testing.T, v bool) {
	old := update
	update = v
	t.Cleanup(func() { update = old })
}

// TestFlag: -update is a flag of the test binary only when the command
// line has it.
func TestFlag(t *testing.T) {
	onCommandLine := false
	for _, a := range os.Args[1:] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		onCommandLine = onCommandLine || strings.HasPrefix(a, "-") && (name == "update" || name == "test.update")
	}
	if registered := flag.Lookup("update") != nil; registered != onCommandLine {
		t.Errorf("-update registered %v, on the command line %v (%q)", registered, onCommandLine, os.Args[1:])
	}
	if Update() && !onCommandLine {
		t.Error("Update() without -update on the command line")
	}
}

func TestCheck(t *testing.T) {
	setUpdate(t, false)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("a\nb\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := &recorder{TB: t}
	Check(r, path, []byte("a\nb\nc\n"))
	if len(r.errors)+len(r.fatals) != 0 {
		t.Errorf("equal output reported: %v %v", r.errors, r.fatals)
	}

	r = &recorder{TB: t}
	Check(r, path, []byte("a\nB\nc\nd\n"))
	want := "output differs from " + path + " (go test -update rewrites it after review):\n" +
		"line 2:\n  want: b\n  got:  B\nline 4:\n  want: \n  got:  d\n"
	if len(r.errors) != 1 || r.errors[0] != want || len(r.fatals) != 0 {
		t.Errorf("differing output reported as %q, %q; want %q", r.errors, r.fatals, want)
	}

	r = &recorder{TB: t}
	missing := filepath.Join(dir, "missing.golden")
	Check(r, missing, []byte("x"))
	if len(r.fatals) == 0 || !strings.Contains(r.fatals[0], "create it with go test -update") {
		t.Errorf("a missing golden file reported as %q", r.fatals)
	}
}

func TestCheckUpdate(t *testing.T) {
	setUpdate(t, true)
	path := filepath.Join(t.TempDir(), "new", "folder", "out.golden")
	r := &recorder{TB: t}
	Check(r, path, []byte("written\n"))
	if got, err := os.ReadFile(path); err != nil || string(got) != "written\n" || len(r.errors)+len(r.fatals) != 0 {
		t.Errorf("Check with -update: %q, %v; reported %v %v", got, err, r.errors, r.fatals)
	}
	// A folder where the file's folder should be.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = &recorder{TB: t}
	Check(r, filepath.Join(blocked, "out.golden"), []byte("x"))
	if len(r.fatals) == 0 {
		t.Error("Check with -update under a regular file reported nothing")
	}
}

func TestLineDiffCap(t *testing.T) {
	var want, got []string
	for i := range 12 {
		want = append(want, fmt.Sprint("w", i))
		got = append(got, fmt.Sprint("g", i))
	}
	d := lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n"))
	if n := strings.Count(d, "line "); n != 10 || !strings.HasSuffix(d, "line 10:\n  want: w9\n  got:  g9\n…\n") {
		t.Errorf("lineDiff shows %d lines:\n%s", n, d)
	}
}
