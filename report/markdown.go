package report

import "strings"

// Markdown escaping for strings that come from a cassette or a request
// (scenario names, routes, paths, GraphQL operation names, error
// messages). The PR comment is posted with the workflow's token, so such a
// string must not be able to break a table row, close an HTML comment the
// comment command keeps its marker in, mention or notify anyone, inject
// HTML, or reorder the text around it.
//
// The escaping is context free, so one function serves table cells,
// headings, list items and link text:
//
//   - visible first: line breaks, control and bidi-override characters
//     become visible escapes (\n, \u202e), so nothing starts a new block
//     and nothing reorders the line;
//   - & < > become entities: no HTML tag, no comment opened or closed
//     (`-->` is written `--&gt;`), no entity smuggled in;
//   - Markdown punctuation is backslash-escaped: \ ` * [ ] ( ) ! # ~ $,
//     _ unless between two letters or digits, and | (an escaped pipe does
//     not end a GFM table cell, in a code element or not);
//   - @ is followed by a zero-width space entity, so @user and @org/team
//     are not mentions.
//
// Untrusted strings are never put in a backtick code span: nothing can be
// escaped inside one (a backslash or an entity would show as typed), and a
// pipe inside one still ends a table cell. [mdCode] wraps the escaped text
// in a <code> element instead, which GitHub renders like a code span and
// in which it looks for neither mentions nor issue references.

// mdText escapes s for use anywhere in Markdown inline text.
func mdText(s string) string {
	s = visible(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch r {
		case '_':
			// An underscore between two letters or digits can neither open
			// nor close emphasis: {pull_number} stays readable.
			if i > 0 && i+1 < len(s) && isAlnum(s[i-1]) && isAlnum(s[i+1]) {
				b.WriteByte('_')
			} else {
				b.WriteString(`\_`)
			}
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '@':
			b.WriteString("@&#8203;")
		case '\\', '`', '*', '[', ']', '(', ')', '!', '#', '~', '$', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode is s as inline code: a <code> element around [mdText]. An empty s
// is an em dash, so a table cell never looks broken.
func mdCode(s string) string {
	if s == "" {
		return "—"
	}
	return "<code>" + mdText(s) + "</code>"
}

// mdLink links text to url when url is a plain docs.github.com address,
// and is just the escaped text otherwise: a report read back from JSON may
// carry any URL.
func mdLink(text, url string) string {
	if text == "" {
		return "—"
	}
	if !safeDocsURL(url) {
		return mdText(text)
	}
	return "[" + mdText(text) + "](" + url + ")"
}

// safeDocsURL accepts https://docs.github.com/ URLs made only of
// characters that cannot end a Markdown link destination or a table cell.
func safeDocsURL(u string) bool {
	const prefix = "https://docs.github.com/"
	if !strings.HasPrefix(u, prefix) || len(u) > 2048 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~/#@%+=:?&", c) >= 0) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// MarkdownText is [mdText] for other renderers of the same untrusted
// strings (the sticky PR comment of package prcomment), so there is one
// escaping to get right.
func MarkdownText(s string) string { return mdText(s) }

// MarkdownError is a scenario's error as Markdown: its first line after
// "**Error:**", and the lines under it (the secret scan's findings, one
// per line) as a list, each escaped as [mdText] escapes.
func MarkdownError(s string) string {
	first, rest := ErrorLines(s)
	var b strings.Builder
	b.WriteString("**Error:** ")
	b.WriteString(mdText(first))
	b.WriteString("\n")
	for _, line := range rest {
		b.WriteString("- ")
		b.WriteString(mdText(line))
		b.WriteString("\n")
	}
	return b.String()
}

// ErrorLines splits a scenario's error into its first line and the lines
// under it, blank ones and indentation dropped: what each renderer shows
// as a line of its own instead of an escaped "\n".
func ErrorLines(s string) (first string, rest []string) {
	first, more, _ := strings.Cut(strings.TrimRight(s, "\n"), "\n")
	for _, line := range strings.Split(more, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			rest = append(rest, line)
		}
	}
	return first, rest
}

// MarkdownCode is [mdCode]: s escaped in a <code> element, an em dash
// when empty.
func MarkdownCode(s string) string { return mdCode(s) }

// MarkdownLink is [mdLink]: text linked to url when url is a plain
// docs.github.com address, the escaped text otherwise.
func MarkdownLink(text, url string) string { return mdLink(text, url) }
