package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"
)

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// A write that fails at any step leaves the old file as it was and no
// temporary file behind.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "callbudget.budget.yaml")
	if err := Write(path, []byte("old budget\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)

	crash := errors.New("crash before rename")
	err := write(path, []byte("half a budg"), func(tmp string) error {
		if b, _ := os.ReadFile(tmp); string(b) != "half a budg" {
			t.Errorf("temporary file holds %q", b)
		}
		return crash
	})
	if !errors.Is(err, crash) {
		t.Errorf("write: %v, want the crash", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Errorf("the file changed after a failed write:\n%s", now)
	}
	assertNoTemp(t, dir)

	if err := Write(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", fi.Mode().Perm())
	}

	// Writing over a folder fails: nothing left behind.
	sub := filepath.Join(dir, "folder.yaml")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("x")); err == nil {
		t.Errorf("Write over a folder succeeded")
	}
	assertNoTemp(t, dir)
}
