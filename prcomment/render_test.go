package prcomment_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/prcomment"
	"github.com/callbudget/callbudget/report"
)

const (
	key      = "callbudget.yaml"
	headSHA  = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	newerSHA = "1111111111111111111111111111111111111111"
	runURL   = "https://github.com/octo-org/hello-world/actions/runs/42"
)

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	raise := &prcomment.BudgetChange{Path: "callbudget.budget.yaml", Scenarios: []prcomment.BudgetScenarioChange{
		{Name: "pr-opened", Old: ptr(3), New: ptr(5)},
		{Name: "pr-closed", New: ptr(2)},
		{Name: "push", Old: ptr(3)},
	}}
	lower := &prcomment.BudgetChange{Path: "callbudget.budget.yaml", Scenarios: []prcomment.BudgetScenarioChange{
		{Name: "pr-opened", Old: ptr(7), New: ptr(5)},
	}}
	tests := []struct {
		name string
		rep  *report.Report
		opts prcomment.RenderOptions
	}{
		{name: "ok", rep: okReport()},
		{name: "over", rep: overReport(), opts: prcomment.RenderOptions{RunURL: runURL}},
		{name: "new", rep: newScenarioReport()},
		{name: "error", rep: errorReport()},
		{name: "count", rep: countReport()},
		{name: "graphql", rep: graphqlReport()},
		{name: "budget-raised", rep: okReport(), opts: prcomment.RenderOptions{Budget: raise, RunURL: runURL}},
		{name: "budget-lowered", rep: okReport(), opts: prcomment.RenderOptions{Budget: lower}},
		{name: "hostile", rep: hostileReport(), opts: prcomment.RenderOptions{
			RunURL: "javascript:alert(1)//https://x", HeadSHA: "abc<!-- -->",
			Budget: &prcomment.BudgetChange{Path: "budget|`x`-->@user.yaml", Scenarios: []prcomment.BudgetScenarioChange{{Name: evil, Old: ptr(1), New: ptr(2)}}},
		}},
		{name: "capped", rep: bigReport(40), opts: prcomment.RenderOptions{MaxChars: 6000}},
		{name: "cut", rep: bigReport(40), opts: prcomment.RenderOptions{MaxChars: 600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.opts
			o.Key = key
			if o.HeadSHA == "" {
				o.HeadSHA = headSHA
			}
			got := prcomment.Render(tt.rep, o)
			golden.Check(t, "testdata/"+tt.name+".md.golden", []byte(got))
			checkHarmless(t, got)
			max := o.MaxChars
			if max == 0 {
				max = prcomment.DefaultMaxChars
			}
			if len(got) > max {
				t.Errorf("body is %d bytes, over MaxChars %d", len(got), max)
			}
		})
	}
}

// allowedTag matches the HTML the renderer writes itself.
var allowedTag = regexp.MustCompile(`^</?(code|details|summary|sub)>`)

// mention is what GitHub would turn into a notification.
var mention = regexp.MustCompile(`@[A-Za-z0-9]`)

// checkHarmless asserts that nothing in a body escaped the escaping: no
// HTML but the renderer's own tags, no HTML comment closed but the marker
// lines', no mention, no bidi or control character, no link but to the
// docs or the run, and table rows that keep their header's column count.
func checkHarmless(t *testing.T, body string) {
	t.Helper()
	checkHarmlessKey(t, body, key)
}

func checkHarmlessKey(t *testing.T, body, key string) {
	t.Helper()
	lines := strings.Split(body, "\n")
	if len(lines) < 2 || lines[0] != prcomment.Marker(key) || !strings.HasPrefix(lines[1], "<!-- callbudget:meta ") || !strings.HasSuffix(lines[1], " -->") {
		t.Fatalf("marker lines = %q", lines[:min(2, len(lines))])
	}
	if _, ok := prcomment.ParseMeta(body); !ok {
		t.Errorf("ParseMeta does not find the marker")
	}
	rest := strings.Join(lines[2:], "\n")
	for _, bad := range []string{"-->", "<!--", "javascript:", "\r"} {
		if strings.Contains(rest, bad) {
			t.Errorf("body has %q after the marker lines", bad)
		}
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '<' && !allowedTag.MatchString(rest[i:]) {
			t.Errorf("raw HTML: %q", rest[i:min(i+30, len(rest))])
		}
	}
	if m := mention.FindString(rest); m != "" {
		t.Errorf("body mentions someone: %q", m)
	}
	for _, r := range body {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			t.Errorf("body has control or format character %U", r)
		}
	}
	for _, m := range regexp.MustCompile(`\]\(([^)]*)\)`).FindAllStringSubmatch(rest, -1) {
		if !strings.HasPrefix(m[1], "https://docs.github.com/") && m[1] != runURL {
			t.Errorf("link to %q", m[1])
		}
	}
	cols := -1
	for _, line := range lines[2:] {
		line = strings.TrimPrefix(line, "> ")
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := cells(line)
		if cols < 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row has %d cells, its header %d: %s", n, cols, line)
		}
	}
}

// cells counts a GFM table row's cells: pipes not escaped by a backslash,
// less one.
func cells(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

func TestRenderSizeCap(t *testing.T) {
	t.Parallel()
	rep := bigReport(5000)
	tests := []struct {
		name     string
		max      int
		wantText []string
	}{
		{name: "default", wantText: []string{"The full endpoint tables were left out", "more changed endpoints, left out to fit", "pulls/get", "branch-00000"}},
		{name: "small", max: 3000, wantText: []string{"more changed endpoints", "branch-00000"}},
		{name: "tiny", max: 400, wantText: []string{"the rest of this report was left out"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := prcomment.Render(rep, prcomment.RenderOptions{Key: key, HeadSHA: headSHA, MaxChars: tt.max})
			max := tt.max
			if max == 0 {
				max = prcomment.DefaultMaxChars
			}
			if len(body) > max {
				t.Errorf("body is %d bytes, over %d", len(body), max)
			}
			if strings.Contains(body, "<details>") {
				t.Errorf("the collapsed detail was kept")
			}
			m, ok := prcomment.ParseMeta(body)
			if !ok || m.HeadSHA != headSHA || !m.Changed {
				t.Errorf("ParseMeta = %+v, %v", m, ok)
			}
			for _, w := range tt.wantText {
				if w == "pulls/get" {
					continue
				}
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			checkHarmless(t, body)
		})
	}
}

func TestRenderFitsWithDetailWhenSmall(t *testing.T) {
	t.Parallel()
	body := prcomment.Render(overReport(), prcomment.RenderOptions{Key: key, HeadSHA: headSHA})
	if !strings.Contains(body, "<details>") || strings.Contains(body, "left out") {
		t.Errorf("a small report lost its detail:\n%s", body)
	}
	if !strings.Contains(body, "| <code>GET</code> | <code>/repos/{owner}/{repo}/pulls/{pull_number}</code> | [pulls/get](https://docs.github.com/rest/pulls/pulls#get-a-pull-request) | 1 → 4 | **+3** |") {
		t.Errorf("the reviewer's line is missing:\n%s", body)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	body := prcomment.Marker(key) + "\n<!-- callbudget:meta v=1 head=abc1234 changed=true -->\nintro\n<details><summary>x</summary>\n\n" + strings.Repeat("| row |\n", 200) + "</details>\n"
	tests := []struct {
		name string
		max  int
	}{
		{name: "fits", max: len(body)},
		{name: "cut inside details", max: 600},
		{name: "below the marker lines", max: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := prcomment.Truncate(body, tt.max)
			if tt.max >= len(body) {
				if got != body {
					t.Errorf("a body that fits was changed")
				}
				return
			}
			if m, ok := prcomment.ParseMeta(got); !ok || m.HeadSHA != "abc1234" {
				t.Errorf("marker lost: %+v %v", m, ok)
			}
			if tt.max > 300 && len(got) > tt.max {
				t.Errorf("len %d > %d", len(got), tt.max)
			}
			if strings.Count(got, "<details>") != strings.Count(got, "</details>") {
				t.Errorf("unbalanced details:\n%s", got)
			}
			if !strings.Contains(got, "left out") {
				t.Errorf("no note that the rest was left out")
			}
		})
	}
}

func TestMarkerAndParseMeta(t *testing.T) {
	t.Parallel()
	m := prcomment.Marker(key)
	if !regexp.MustCompile(`^<!-- callbudget:comment key=[0-9a-f]{12} -->$`).MatchString(m) {
		t.Errorf("Marker = %q", m)
	}
	if prcomment.Marker("other.yaml") == m {
		t.Errorf("two keys share a marker")
	}
	rendered := prcomment.Render(okReport(), prcomment.RenderOptions{Key: key, HeadSHA: strings.ToUpper(headSHA)})
	hash := strings.TrimSuffix(strings.TrimPrefix(m, "<!-- callbudget:comment key="), " -->")
	tests := []struct {
		name   string
		body   string
		want   prcomment.Meta
		wantOK bool
	}{
		{name: "rendered", body: rendered, want: prcomment.Meta{KeyHash: hash, Version: 1, HeadSHA: headSHA, Changed: false}, wantOK: true},
		{name: "CRLF from the browser", body: strings.ReplaceAll(rendered, "\n", "\r\n"), want: prcomment.Meta{KeyHash: hash, Version: 1, HeadSHA: headSHA, Changed: false}, wantOK: true},
		{name: "marker only", body: m + "\nhello", want: prcomment.Meta{KeyHash: hash, Changed: true}, wantOK: true},
		{name: "bad head", body: m + "\n<!-- callbudget:meta v=1 head=--><img> changed=false -->", want: prcomment.Meta{KeyHash: hash, Version: 1}, wantOK: true},
		{name: "marker not first", body: "hi\n" + rendered},
		{name: "quoted", body: "> " + rendered},
		{name: "short hash", body: "<!-- callbudget:comment key=abc -->"},
		{name: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := prcomment.ParseMeta(tt.body)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseMeta = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rep    *report.Report
		budget *prcomment.BudgetChange
		want   bool
	}{
		{name: "ok, nothing changed", rep: okReport(), want: false},
		{name: "ok, but the budget file changed", rep: okReport(), budget: &prcomment.BudgetChange{Path: "b.yaml"}, want: true},
		{name: "over", rep: overReport(), want: true},
		{name: "new scenario", rep: newScenarioReport(), want: true},
		{name: "error", rep: errorReport(), want: true},
		{name: "count, no baseline", rep: countReport(), want: false},
		{name: "ok, GraphQL points changed", rep: pointsReport(4, 6), want: true},
		{name: "ok, GraphQL points the same", rep: pointsReport(4, 4), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := prcomment.Changed(tt.rep, tt.budget); got != tt.want {
				t.Errorf("Changed = %v, want %v", got, tt.want)
			}
		})
	}
}

// pointsReport is an ok scenario of one GraphQL call whose points go from
// base to now, within a tolerance of 2 points.
func pointsReport(base, now int) *report.Report {
	s := scenario("gql", []report.Endpoint{ep("POST", "/graphql", "graphql/Q", "graphql", 1, ptr(1))})
	s.Endpoints[0].GraphQLPoints, s.Endpoints[0].GraphQLPointsEstimated, s.Endpoints[0].BaselineGraphQLPoints = now, now, ptr(base)
	s.GraphQLPoints, s.GraphQLPointsEstimated, s.BaselineGraphQLPoints, s.GraphQLPointsTolerance = now, now, ptr(base), 2
	return newReport(s)
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    prcomment.Mode
		wantErr bool
	}{
		{in: "", want: prcomment.ModeAuto},
		{in: "auto", want: prcomment.ModeAuto},
		{in: " Always ", want: prcomment.ModeAlways},
		{in: "on-change", want: prcomment.ModeOnChange},
		{in: "never", want: prcomment.ModeNever},
		{in: "sometimes", wantErr: true},
		{in: "on_change", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := prcomment.ParseMode(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseMode(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
}

func FuzzParseMeta(f *testing.F) {
	f.Add(prcomment.Render(okReport(), prcomment.RenderOptions{Key: key, HeadSHA: headSHA}))
	f.Add(prcomment.Marker(key) + "\n<!-- callbudget:meta v=x head= changed=maybe -->")
	f.Fuzz(func(t *testing.T, body string) {
		m, ok := prcomment.ParseMeta(body)
		if !ok {
			return
		}
		if !strings.HasPrefix(body, "<!-- callbudget:comment key="+m.KeyHash+" -->") {
			t.Errorf("ParseMeta accepted %q", body)
		}
		if m.HeadSHA != "" && !regexp.MustCompile(`^[0-9a-f]{7,64}$`).MatchString(m.HeadSHA) {
			t.Errorf("head %q is not a SHA", m.HeadSHA)
		}
	})
}

// FuzzRenderHarmless renders a report whose every string is the fuzzer's
// and checks that none of it escapes the escaping.
func FuzzRenderHarmless(f *testing.F) {
	f.Add(evil, evil, "graphql/Q|`x`@admin\n<b>", "core")
	f.Add("pr-opened", routePull, "pulls/get", "co|re")
	f.Add("\u202e--><!--", "@everyone", "\\|\\`", "\xff\xfe")
	f.Fuzz(func(t *testing.T, name, route, op, resource string) {
		eps := []report.Endpoint{
			{Method: route, Route: route, Operation: op, Resource: resource, DocsURL: docs["pulls/get"], Count: 3, Baseline: ptr(1)},
			{Method: "GET", Route: name, Operation: op, Resource: "core", Count: 1, Baseline: ptr(2)},
		}
		eps[0].ConditionalDropped, eps[1].GraphQLEdited, eps[1].GraphQLPoints = 1, 1, 2
		s := scenario(name, eps)
		s.ConditionalDropped, s.GraphQLEdited, s.GraphQLPoints = 1, 1, 2
		s.ResourceMismatches = []report.ResourceMismatch{{Method: op, Route: route, Operation: name, Resource: resource, Recorded: op + resource, Count: 1}}
		s.Unmatched = []report.Unmatched{{Method: op, Path: route, Count: 1}}
		s.Fail(errString(name + route))
		r := newReport(s)
		r.Tool = op
		r.Stale = []string{resource}
		body := prcomment.Render(r, prcomment.RenderOptions{Key: name, HeadSHA: route, RunURL: runURL,
			Budget: &prcomment.BudgetChange{Path: resource, Scenarios: []prcomment.BudgetScenarioChange{{Name: name, Old: ptr(1)}}}})
		if !strings.HasPrefix(body, prcomment.Marker(name)+"\n") {
			t.Fatalf("marker lost")
		}
		checkHarmlessKey(t, body, name)
	})
}

type errString string

func (e errString) Error() string { return string(e) }

// TestRenderNoBudget: a report check made with no budget file says so at
// the top of the comment, whatever its verdict.
func TestRenderNoBudget(t *testing.T) {
	t.Parallel()
	r := report.New("callbudget test")
	r.NoBudget = "ci/callbudget.budget.yaml"
	r.Verdict = report.VerdictOK
	body := prcomment.Render(r, prcomment.RenderOptions{Key: "callbudget.yaml"})
	if !strings.Contains(body, "> **No budget file** at <code>ci/callbudget.budget.yaml</code>: every scenario is unbudgeted.") {
		t.Errorf("no warning in the comment:\n%s", body)
	}
}
