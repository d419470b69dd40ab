package report

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func TestVisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "/repos/{owner}/{repo}", "/repos/{owner}/{repo}"},
		{"newline and tab", "a\nb\r\tc", `a\nb\r\tc`},
		{"terminal escape", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"bidi override", "abc\u202edcb", `abc\u202edcb`},
		{"isolates and marks", "\u2066x\u2069\u200f", `\u2066x\u2069\u200f`},
		{"zero width and bom", "a\u200bb\ufeff", `a\u200bb\ufeff`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"C1 control", "a\u0085b", `a\u0085b`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"unicode kept", "café → 日本", "café → 日本"},
		{"backslash kept", `a\b`, `a\b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := visible(tt.in); got != tt.want {
				t.Errorf("visible(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMdText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"route", "/repos/{owner}/{repo}/pulls/{pull_number}", "/repos/{owner}/{repo}/pulls/{pull_number}"},
		{"pipe", "a|b", `a\|b`},
		{"newline", "a\nb", `a\\nb`},
		{"html comment end", "-->", "--&gt;"},
		{"html comment start", "<!--", `&lt;\!--`},
		{"mention", "@user", "@&#8203;user"},
		{"team mention", "@org/team", "@&#8203;org/team"},
		{"html", "<img src=x onerror=alert(1)>", `&lt;img src=x onerror=alert\(1\)&gt;`},
		{"entity", "&amp;", "&amp;amp;"},
		{"bidi", "a\u202eb", `a\\u202eb`},
		{"backticks", "``x``", "\\`\\`x\\`\\`"},
		{"emphasis", "*a* _b_ a_b", `\*a\* \_b\_ a_b`},
		{"link", "[x](javascript:y)", `\[x\]\(javascript:y\)`},
		{"image", "![x](y)", `\!\[x\]\(y\)`},
		{"strike and math", "~~x~~ $y$", `\~\~x\~\~ \$y\$`},
		{"heading", "# h", `\# h`},
		{"backslash", `\|`, `\\\|`},
		{"underscore at edges", "_x_y_", `\_x_y\_`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mdText(tt.in); got != tt.want {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMdCode(t *testing.T) {
	t.Parallel()
	if got, want := mdCode(""), "—"; got != want {
		t.Errorf("mdCode(\"\") = %q, want %q", got, want)
	}
	if got, want := mdCode("GET /x|`y`"), "<code>GET /x\\|\\`y\\`</code>"; got != want {
		t.Errorf("mdCode = %q, want %q", got, want)
	}
}

func TestMdLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, url, want string
	}{
		{"docs", "pulls/get", "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
			"[pulls/get](https://docs.github.com/rest/pulls/pulls#get-a-pull-request)"},
		{"enterprise docs", "apps/list", "https://docs.github.com/enterprise-server@3.9/rest/apps/apps#list",
			"[apps/list](https://docs.github.com/enterprise-server@3.9/rest/apps/apps#list)"},
		{"javascript", "x", "javascript:alert(1)", "x"},
		{"other host", "x", "https://evil.example/docs", "x"},
		{"lookalike host", "x", "https://docs.github.com.evil.example/", "x"},
		{"paren breaks out", "x", "https://docs.github.com/a)(b", "x"},
		{"pipe breaks the cell", "x", "https://docs.github.com/a|b", "x"},
		{"no url", "graphql/Q", "", "graphql/Q"},
		{"hostile text", "Q]@u", "https://docs.github.com/graphql", `[Q\]@&#8203;u](https://docs.github.com/graphql)`},
		{"empty", "", "https://docs.github.com/x", "—"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mdLink(tt.text, tt.url); got != tt.want {
				t.Errorf("mdLink(%q, %q) = %q, want %q", tt.text, tt.url, got, tt.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"pr-opened", "pr-opened"},
		{"a b", "'a b'"},
		{"x; rm -rf ~", "'x; rm -rf ~'"},
		{"it's", `'it'\''s'`},
		{"$(id)", "'$(id)'"},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostileStrings break Markdown in every way the brief names.
var hostileStrings = []string{
	"a|b", "`", "``", "-->", "<!-- x -->", "@user", "@org/team", "<img src=x onerror=alert(1)>",
	"a\nb", "a\r\n\r\nb", "\u202eabc", "\u2066x", "&lt;", "<script>", "[x](javascript:y)", "\\|", "x\\",
	"# heading", "| --- |", "\x00\x1b", "\xff\xfe",
}

// checkMarkdownSafe fails t when an escaped string could still do harm.
func checkMarkdownSafe(t *testing.T, in, out string) {
	t.Helper()
	unescapedPipe := regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)
	mention := regexp.MustCompile(`@[A-Za-z0-9]`)
	switch {
	case strings.ContainsAny(out, "\n\r<>"):
		t.Errorf("escape(%q) = %q holds a line break or an angle bracket", in, out)
	case unescapedPipe.MatchString(out):
		t.Errorf("escape(%q) = %q holds an unescaped pipe", in, out)
	case strings.Contains(out, "-->"):
		t.Errorf("escape(%q) = %q can close an HTML comment", in, out)
	case mention.MatchString(out):
		t.Errorf("escape(%q) = %q can mention someone", in, out)
	case strings.IndexFunc(out, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		t.Errorf("escape(%q) = %q holds a control or format character", in, out)
	case regexp.MustCompile("(^|[^\\\\])(\\\\\\\\)*`").MatchString(out):
		t.Errorf("escape(%q) = %q holds an unescaped backtick", in, out)
	}
}

func TestMarkdownEscapingIsSafe(t *testing.T) {
	t.Parallel()
	for _, in := range hostileStrings {
		checkMarkdownSafe(t, in, mdText(in))
		code := strings.TrimSuffix(strings.TrimPrefix(mdCode(in), "<code>"), "</code>")
		checkMarkdownSafe(t, in, code)
	}
}

// The hostile report's Markdown keeps every table row one line with the
// right number of cells, and has no HTML beyond what the renderer writes.
func TestWriteMarkdownHostile(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := hostileReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<img", "<b>", "-->", "<!--", "\u202e", "\x1b", "@user", "@admin", "@octocat", "@team"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown holds %q", bad)
		}
	}
	cells := regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)
	var tableCols int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			tableCols = 0
			continue
		}
		n := len(cells.FindAllString(line, -1))
		if tableCols == 0 {
			tableCols = n
		} else if n != tableCols {
			t.Errorf("table row has %d pipes, its header %d: %s", n, tableCols, line)
		}
	}
	allowed := regexp.MustCompile(`</?(code|details|summary|sub)>`)
	if rest := allowed.ReplaceAllString(out, ""); strings.ContainsAny(rest, "<>") {
		for _, line := range strings.Split(rest, "\n") {
			if strings.ContainsAny(line, "<>") && !strings.Contains(line, " > ") {
				t.Errorf("unexpected HTML in %q", line)
			}
		}
	}
}

func TestWriteTextHostile(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := hostileReport().WriteText(&b, TextOptions{Color: false}); err != nil {
		t.Fatal(err)
	}
	if i := strings.IndexFunc(b.String(), func(r rune) bool {
		return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
	}); i >= 0 {
		t.Errorf("text report holds control character %q", b.String()[i:i+1])
	}
}

// Colour adds escapes and nothing else: stripped of them, the coloured
// report is the plain one, so the table stays aligned.
func TestWriteTextColorOnlyAddsEscapes(t *testing.T) {
	t.Parallel()
	ansi := regexp.MustCompile("\x1b\\[[0-9]+m")
	for _, fx := range fixtures {
		var plain, color strings.Builder
		r := fx.rep()
		if err := r.WriteText(&plain, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteText(&color, TextOptions{Color: true}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(color.String(), "\x1b[") {
			t.Errorf("%s: no colour", fx.name)
		}
		if got := ansi.ReplaceAllString(color.String(), ""); got != plain.String() {
			t.Errorf("%s: coloured text without its escapes differs:\n%s\n%s", fx.name, got, plain.String())
		}
	}
}
