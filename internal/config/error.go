package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid is wrapped by every error Load and Parse return, whatever was
// wrong: the file is missing, unreadable, not YAML, or says something
// callbudget cannot use. Test with errors.Is.
var ErrInvalid = errors.New("invalid config")

// ErrUnknownScenario is wrapped by the error Select returns for a name the
// config does not define.
var ErrUnknownScenario = errors.New("unknown scenario")

// Error is one problem with a config file, located like a compiler does it:
// "callbudget.yaml:12: duplicate scenario name "pr-opened" (first at line 5)".
// It wraps ErrInvalid and, when there is one, the cause (an fs error such as
// fs.ErrNotExist when the file is missing).
type Error struct {
	File string
	Line int // 1-based; 0 when the problem has no line
	Msg  string
	Err  error // the cause; nil when the file itself is wrong
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap reports ErrInvalid and the cause, so both errors.Is(err,
// ErrInvalid) and errors.Is(err, fs.ErrNotExist) hold for a missing file.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// maxErrors bounds how many problems one Parse reports: enough to fix a
// file in one go, not so many that a binary file floods the terminal.
const maxErrors = 10

// errorList collects the problems of one file in the order found.
type errorList struct {
	file    string
	errs    []*Error
	dropped int
}

func (l *errorList) add(line int, msg string) {
	for _, e := range l.errs {
		if e.Line == line && e.Msg == msg {
			return // the same anchor merged into several places
		}
	}
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, &Error{File: l.file, Line: line, Msg: msg})
	} else {
		l.dropped++
	}
}

// err returns nil, the one *Error, or all of them joined (one per line,
// in line order), so errors.As finds the first.
func (l *errorList) err() error {
	switch len(l.errs) {
	case 0:
		return nil
	case 1:
		return l.errs[0]
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(l.errs), len(l.errs)+1)
	for i, e := range l.errs {
		errs[i] = e
	}
	if l.dropped > 0 {
		errs = append(errs, &Error{File: l.file, Msg: fmt.Sprintf("and %d more problems", l.dropped)})
	}
	return errors.Join(errs...)
}

// suggest returns the candidate closest to s (a typo or the other separator),
// or "" when none is close enough to be what was meant.
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	norm := strings.ReplaceAll(strings.ToLower(s), "-", "_")
	for _, c := range candidates {
		if norm == c {
			return c
		}
		if d := editDistance(norm, c); d < bestD && d < len(c) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance; inputs are short keys.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
