package regfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/callbudget/callbudget/internal/regfile"
)

// TestOpen: a regular file opens; a named pipe with no writer, a folder
// and a device fail at once, saying what they are.
func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, st, err := regfile.Open(file)
	if err != nil || st.Size() != 1 {
		t.Fatalf("Open(regular) = %v, %v", st, err)
	}
	f.Close()
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "not a regular file (a named pipe)", dir: "not a regular file (a directory)", "/dev/null": "not a regular file (a character device)"} {
		_, _, err := regfile.Open(path)
		if !errors.Is(err, regfile.ErrNotRegular) || err.Error() != want {
			t.Errorf("Open(%s) = %v, want %q", path, err, want)
		}
	}
	if _, _, err := regfile.Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}
