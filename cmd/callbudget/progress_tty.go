//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// terminalWidth reports whether w is a terminal and, if it is, a function
// that gives its current width in columns (0 when it cannot tell). It asks
// the terminal driver (a termios read), not the file's mode: /dev/null is
// a character device too.
func terminalWidth(w io.Writer) (func() int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return nil, false
	}
	// SyscallConn, not Fd: Fd would put the file in blocking mode.
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false
	}
	tty := false
	if rc.Control(func(fd uintptr) {
		_, err := unix.IoctlGetTermios(int(fd), ioctlReadTermios)
		tty = err == nil
	}) != nil || !tty {
		return nil, false
	}
	return func() int {
		cols := 0
		rc.Control(func(fd uintptr) {
			if ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ); err == nil {
				cols = int(ws.Col)
			}
		})
		return cols
	}, true
}
