//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package main

import "io"

// terminalWidth: the status line is drawn on Unix terminals only; other
// systems get the start and end lines.
func terminalWidth(io.Writer) (func() int, bool) { return nil, false }
