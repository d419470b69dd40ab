package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors an import can fail with, wrapped by every *Error; test with
// errors.Is.
var (
	// ErrInvalid: the file is the format asked for (or no format could
	// be told) but it is broken: truncated, not YAML or JSON, an entry
	// without a response, an alias bomb.
	ErrInvalid = errors.New("invalid recording")
	// ErrFormat: the file is not the format it was named as, or no
	// known format at all.
	ErrFormat = errors.New("not the named recording format")
)

// Error says what is wrong with an input and where, like a compiler:
// "har.json:12: entry 3: the entry has no response".
type Error struct {
	File  string
	Line  int // 1-based; 0 when unknown
	Entry int // index of the recorded call in the input; -1 when none applies
	Msg   string
	Err   error // ErrInvalid or ErrFormat, possibly wrapping a cause; ctx.Err() for an interrupted LoadContext
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Entry >= 0 {
		fmt.Fprintf(&b, "entry %d: ", e.Entry)
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Note is something an input could not carry over, such as a request body
// requre did not keep. Entry is -1 when it is about the whole file.
type Note struct {
	Entry int
	Msg   string
}

func (n Note) String() string {
	if n.Entry < 0 {
		return n.Msg
	}
	return fmt.Sprintf("entry %d: %s", n.Entry, n.Msg)
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + strings.Count(string(data[:off]), "\n")
}
