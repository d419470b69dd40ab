// Package regfile opens the files callbudget reads (cassettes, budgets,
// configs, recordings to import) only when they are regular files: a
// named pipe with no writer would block the open forever, and a device
// would read forever.
package regfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by the error Open returns for what is not a
// regular file.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is what Open returns for a file that is not regular.
type NotRegularError struct {
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string { return "not a regular file (" + Kind(e.Mode) + ")" }

// Unwrap makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// Open opens path for reading if it is a regular file, and returns what
// fstat says of it. O_NONBLOCK makes opening a named pipe that has no
// writer return at once instead of waiting for one (it changes nothing
// for a regular file); fstat of what was opened (not stat of the path,
// which may change in between) then refuses anything that is not a
// regular file with a *NotRegularError (its FileInfo is returned too).
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, st, &NotRegularError{Mode: st.Mode()}
	}
	return f, st, nil
}

// Kind names what a file that is not a regular file is: "a named pipe".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "an irregular file"
}
