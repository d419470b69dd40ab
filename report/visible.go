package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// visible returns s with every character that could change how the text
// around it is displayed written as an escape instead: line breaks and
// tabs (\n, \r, \t), other control characters (\x1b: no terminal escape
// sequences), invisible format characters such as the bidirectional
// overrides (\u202e: no reordered text), line and paragraph separators,
// and bytes that are not UTF-8 (\xff). Everything else, backslashes
// included, is kept as it is: the result is for reading, not for parsing
// back.
//
// Both renderers pass every string from a cassette or a request through
// it; it is the whole of the terminal's escaping, and the first step of
// the Markdown's.
func visible(s string) string {
	i := strings.IndexFunc(s, needsEscape)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// needsEscape: control characters (C0, DEL, C1), format characters (Cf:
// bidi controls U+202A–U+202E and U+2066–U+2069, marks U+200E/U+200F,
// zero-width characters, the BOM) and the line and paragraph separators.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// shellQuote quotes s for a POSIX shell when it needs it, so a hint such
// as `callbudget update --scenario NAME` can be pasted whatever NAME is.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/@%+=", r)))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Visible is the terminal escaping the text report uses, for commands that
// print strings from cassettes or requests themselves: control, format and
// bidirectional characters and invalid UTF-8 are written as escapes.
func Visible(s string) string { return visible(s) }
