package prcomment

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/callbudget/callbudget/report"
)

// DefaultMaxChars is the size Render keeps a body under when
// RenderOptions.MaxChars is 0: GitHub refuses comments over 65,536
// characters, and the margin absorbs how it counts them.
const DefaultMaxChars = 60000

// RenderOptions says what Render needs besides the report.
type RenderOptions struct {
	// Key identifies the comment per pull request and config: usually
	// the config path ("callbudget.yaml"). Only its hash is written.
	Key string
	// HeadSHA is the pull request head the report is for, written into
	// the hidden metadata for Post's stale guard. Anything but a hex SHA
	// is left out.
	HeadSHA string
	// RunURL links the workflow run; optional, and left out unless it is
	// a plain http(s) URL.
	RunURL string
	// Budget is non-nil when the pull request changes the budget file.
	Budget *BudgetChange
	// MaxChars caps the body's length in bytes (a safe bound on GitHub's
	// characters); 0 means DefaultMaxChars.
	MaxChars int
}

// BudgetChange is what a pull request changes in the budget file: per
// scenario, the total at the base SHA and at the head.
type BudgetChange struct {
	Path      string
	Scenarios []BudgetScenarioChange
}

// BudgetScenarioChange is one scenario's budgeted total at the base (Old)
// and at the head (New); Old is nil for a scenario the pull request adds,
// New for one it removes.
type BudgetScenarioChange struct {
	Name     string
	Old, New *int
}

// Changed reports whether a report is news for a pull request: its verdict
// is not ok, a scenario is not plainly ok, a total, resource, mutating
// total, GraphQL points or endpoint count differs from its baseline, a
// request went unmatched, or the pull request changes the budget file. It is what
// Options.Changed usually is, and what the comment's metadata records.
func Changed(r *report.Report, budget *BudgetChange) bool {
	if budget != nil || r.Verdict != report.VerdictOK {
		return true
	}
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if s.Status != report.StatusOK || len(s.Unmatched) > 0 ||
			s.Delta != nil && *s.Delta != 0 ||
			s.BaselineMutating != nil && *s.BaselineMutating != s.Mutating ||
			pointsChanged(s) {
			return true
		}
		if s.BaselineResources != nil {
			for _, name := range resourceNames(s) {
				if s.Resources[name] != s.BaselineResources[name] {
					return true
				}
			}
		}
		for j := range s.Endpoints {
			if s.Endpoints[j].Changed() {
				return true
			}
		}
	}
	return false
}

// Render builds the comment body for a report: the marker and metadata
// lines first, then the verdict, the budget file's change, the scenarios,
// the endpoints that changed, the per-resource totals and GraphQL points,
// the notes (dropped conditional headers, edited GraphQL queries,
// resource mismatches), what the counts mean against GitHub's rate
// limits, the unmatched requests, and the full endpoint tables in a
// collapsed <details>.
//
// Over MaxChars, the collapsed tables go first (and the body says so),
// then every list is cut to the same length with an "and N more" line;
// a body still too long is cut at a line ([Truncate]). The marker lines
// always survive.
func Render(r *report.Report, o RenderOptions) string {
	max := o.MaxChars
	if max <= 0 {
		max = DefaultMaxChars
	}
	rd := renderer{r: r, o: o, limit: -1, details: true}
	if body := rd.render(); len(body) <= max {
		return body
	}
	rd.details, rd.dropped = false, true
	if body := rd.render(); len(body) <= max {
		return body
	}
	// The body grows with the list limit: find the largest that fits.
	best := ""
	for lo, hi := 0, rd.longestList(); lo <= hi; {
		rd.limit = lo + (hi-lo)/2
		if body := rd.render(); len(body) <= max {
			best, lo = body, rd.limit+1
		} else {
			hi = rd.limit - 1
		}
	}
	if best != "" {
		return best
	}
	rd.limit = 0
	return Truncate(rd.render(), max)
}

type renderer struct {
	r *report.Report
	o RenderOptions
	b strings.Builder
	// limit is how many items of each list are shown; -1 shows all.
	limit int
	// details says whether the collapsed full tables are written;
	// dropped, whether the body says they were left out.
	details, dropped bool
}

// take is how many of n items the limit shows.
func (rd *renderer) take(n int) int {
	if rd.limit < 0 || n <= rd.limit {
		return n
	}
	return rd.limit
}

// more writes the "and N more" line for a list cut by the limit.
func (rd *renderer) more(shown, n int, one, many, prefix string) {
	if shown < n {
		what := many
		if n-shown == 1 {
			what = one
		}
		fmt.Fprintf(&rd.b, "%s_…and %s more %s, left out to fit GitHub's size limit for a comment (the job summary and the JSON report have everything)._\n", prefix, fmtInt(n-shown), what)
	}
}

// longestList is the length of the longest list a limit can cut.
func (rd *renderer) longestList() int {
	n := len(rd.r.Scenarios)
	n = max(n, len(rd.r.Stale))
	if rd.o.Budget != nil {
		n = max(n, len(rd.o.Budget.Scenarios))
	}
	for i := range rd.r.Scenarios {
		s := &rd.r.Scenarios[i]
		n = max(n, len(s.Endpoints), len(s.Unmatched), len(s.Notes(report.MarkdownCode, fmtInt)))
	}
	return n
}

func (rd *renderer) render() string {
	rd.b.Reset()
	b := &rd.b
	head := strings.ToLower(rd.o.HeadSHA)
	if !validSHA(head) {
		head = ""
	}
	b.WriteString(Marker(rd.o.Key) + "\n")
	b.WriteString(metaLine(head, Changed(rd.r, rd.o.Budget)) + "\n")

	rd.verdict()
	rd.noBudgetNote()
	rd.budgetNote()
	rd.scenarioTable()
	var sections []*report.Scenario
	for i := range rd.r.Scenarios {
		if s := &rd.r.Scenarios[i]; worthASection(s) {
			sections = append(sections, s)
		}
	}
	shown := rd.take(len(sections))
	for _, s := range sections[:shown] {
		rd.scenario(s)
	}
	rd.more(shown, len(sections), "scenario section", "scenario sections", "\n")
	rd.limits()
	rd.stale()
	if rd.dropped {
		b.WriteString("\n_The full endpoint tables were left out to keep this comment under GitHub's size limit: the job summary and the JSON report have them._\n")
	}
	if rd.details {
		rd.fullTables()
	}
	rd.footer(head)
	return b.String()
}

func (rd *renderer) verdict() {
	r := rd.r
	var title string
	switch r.Verdict {
	case report.VerdictOK:
		title = "within budget"
	case report.VerdictOver:
		title = "over budget"
	default:
		title = "could not check every scenario"
	}
	compared, news, newCalls := false, 0, 0
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		compared = compared || s.Baseline != nil
		if s.Status == report.StatusNew {
			news++
			newCalls += s.Total
		}
	}
	total, delta := r.Totals()
	if compared {
		title += " · " + callsDelta(delta)
	}
	if news > 0 {
		title += fmt.Sprintf(" · %s with %s per run", plural(news, "new scenario", "new scenarios"), plural(newCalls, "call", "calls"))
	}
	fmt.Fprintf(&rd.b, "### callbudget: %s\n\n", title)
	fmt.Fprintf(&rd.b, "%s; %s per run in all.\n", statusSummary(r), plural(total, "GitHub API call", "GitHub API calls"))
}

// callsDelta is a change of calls per run in words: "+3 calls per run".
func callsDelta(d int) string {
	switch {
	case d == 0:
		return "no change in calls per run"
	case d == 1 || d == -1:
		return signed(d) + " call per run"
	}
	return signed(d) + " calls per run"
}

// statusSummary counts the scenarios by status: "1 over, 2 ok of 3
// scenarios".
func statusSummary(r *report.Report) string {
	counts := map[report.Status]int{}
	for i := range r.Scenarios {
		counts[r.Scenarios[i].Status]++
	}
	var parts []string
	for _, st := range []report.Status{report.StatusError, report.StatusOver, report.StatusNew, report.StatusUnder, report.StatusOK} {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmtInt(n)+" "+string(st))
			delete(counts, st)
		}
	}
	if n := len(r.Scenarios); n > 0 && len(counts) > 0 {
		parts = append(parts, "others")
	}
	if len(parts) == 0 {
		return "No scenarios"
	}
	return strings.Join(parts, ", ") + " of " + plural(len(r.Scenarios), "scenario", "scenarios")
}

// noBudgetNote says that check found no budget file: every scenario is
// unbudgeted, and a pass is only --allow-new's.
func (rd *renderer) noBudgetNote() {
	rd.b.WriteString(rd.r.NoBudgetMarkdown())
}

func (rd *renderer) budgetNote() {
	bc := rd.o.Budget
	if bc == nil {
		return
	}
	b := &rd.b
	raised := false
	for _, s := range bc.Scenarios {
		raised = raised || s.New != nil && (s.Old == nil || *s.New > *s.Old)
	}
	kind := "NOTE"
	if raised {
		kind = "WARNING"
	}
	fmt.Fprintf(b, "\n> [!%s]\n> **This pull request changes the budget file %s.** The counts below are compared with the budget as this pull request changes it, so review the budget's own change: a pull request cannot quietly raise its own budget.\n",
		kind, report.MarkdownCode(bc.Path))
	if len(bc.Scenarios) == 0 {
		b.WriteString(">\n> No scenario's total changes.\n")
		return
	}
	shown := rd.take(len(bc.Scenarios))
	if shown > 0 {
		b.WriteString(">\n> | scenario | budget at the base | budget in this pull request | change |\n> |---|--:|--:|--:|\n")
	}
	for _, s := range bc.Scenarios[:shown] {
		old, now, change := "—", "—", ""
		if s.Old != nil {
			old = fmtInt(*s.Old)
		}
		if s.New != nil {
			now = fmtInt(*s.New)
		}
		switch {
		case s.Old == nil && s.New == nil:
			change = "—"
		case s.Old == nil:
			change = "**added**"
		case s.New == nil:
			change = "removed"
		case *s.New > *s.Old:
			change = "**" + signed(*s.New-*s.Old) + "**"
		default:
			change = signed(*s.New - *s.Old)
		}
		fmt.Fprintf(b, "> | %s | %s | %s | %s |\n", report.MarkdownCode(s.Name), old, now, change)
	}
	rd.more(shown, len(bc.Scenarios), "scenario", "scenarios", ">\n> ")
}

func (rd *renderer) scenarioTable() {
	ss := rd.r.Scenarios
	if len(ss) == 0 {
		return
	}
	b := &rd.b
	shown := rd.take(len(ss))
	if shown > 0 {
		b.WriteString("\n| scenario | status | calls per run | delta |\n|---|---|--:|--:|\n")
	}
	for i := range ss[:shown] {
		s := &ss[i]
		calls, delta := fmtInt(s.Total), "—"
		if s.Baseline != nil {
			calls = fmtInt(*s.Baseline) + " → " + calls
			delta = signed(s.Total - *s.Baseline)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", report.MarkdownCode(s.Name), statusWord(s.Status), calls, delta)
	}
	rd.more(shown, len(ss), "scenario", "scenarios", "\n")
}

func statusWord(s report.Status) string {
	switch s {
	case report.StatusOK, report.StatusUnder, report.StatusNew:
		return string(s)
	case report.StatusOver:
		return "**over**"
	}
	return "**" + report.MarkdownText(string(s)) + "**"
}

// pointsChanged reports whether the scenario's GraphQL points differ from
// its points baseline.
func pointsChanged(s *report.Scenario) bool {
	return s.BaselineGraphQLPoints != nil && *s.BaselineGraphQLPoints != s.GraphQLPoints
}

// worthASection: a scenario gets its own section when a reviewer has
// something to read there: a status, a change, or a note (a dropped
// conditional header, an edited GraphQL query, a resource mismatch).
func worthASection(s *report.Scenario) bool {
	if s.Status != report.StatusOK || len(s.Unmatched) > 0 || s.Delta != nil && *s.Delta != 0 ||
		pointsChanged(s) || s.ConditionalDropped > 0 || s.GraphQLEdited > 0 || len(s.ResourceMismatches) > 0 ||
		s.GraphQLPointsUnbudgeted() {
		return true
	}
	for i := range s.Endpoints {
		if s.Endpoints[i].Changed() {
			return true
		}
	}
	return false
}

func (rd *renderer) scenario(s *report.Scenario) {
	b := &rd.b
	fmt.Fprintf(b, "\n#### %s: ", report.MarkdownCode(s.Name))
	if s.Baseline != nil {
		fmt.Fprintf(b, "%s → %s per run (%s)", fmtInt(*s.Baseline), plural(s.Total, "call", "calls"), signed(s.Total-*s.Baseline))
	} else {
		fmt.Fprintf(b, "%s per run", plural(s.Total, "call", "calls"))
	}
	fmt.Fprintf(b, ", %s\n\n", statusPhrase(s.Status))

	switch s.Status {
	case report.StatusError:
		fmt.Fprintf(b, "%s\n", report.MarkdownError(s.Error))
	case report.StatusOver:
		var why []string
		for _, e := range s.Excesses() {
			what := e.What
			if name, ok := strings.CutPrefix(what, "resource "); ok {
				what = "resource " + report.MarkdownCode(name)
			}
			why = append(why, fmt.Sprintf("%s %s > %s allowed", what, fmtInt(e.Now), fmtInt(e.Allowed)))
		}
		if len(why) > 0 {
			fmt.Fprintf(b, "**Over budget:** %s.\n\n", strings.Join(why, "; "))
		}
	case report.StatusUnder:
		fmt.Fprintf(b, "Fewer calls than the budget: tighten it with %s.\n\n", report.MarkdownCode(updateCommand(s.Name)))
	case report.StatusNew:
		fmt.Fprintf(b, "Not in the budget yet: review these calls, then accept them with %s.\n\n", report.MarkdownCode(updateCommand(s.Name)))
	}

	var changed []report.Endpoint
	for _, e := range s.Endpoints {
		if e.Changed() {
			changed = append(changed, e)
		}
	}
	// The biggest changes first: they are what the pull request is about.
	slices.SortStableFunc(changed, func(x, y report.Endpoint) int {
		return cmp.Compare(abs(y.Count-*y.Baseline), abs(x.Count-*x.Baseline))
	})
	switch {
	case s.Baseline == nil:
	case len(changed) == 0:
		b.WriteString("No endpoint changed.\n\n")
	default:
		fmt.Fprintf(b, "**Endpoints that changed** (%s):\n", fmtInt(len(changed)))
		shown := rd.take(len(changed))
		if shown > 0 {
			b.WriteString("\n| method | route | operation | calls per run | delta |\n|---|---|---|--:|--:|\n")
		}
		for i := range changed[:shown] {
			e := &changed[i]
			fmt.Fprintf(b, "| %s | %s | %s | %s → %s | %s |\n", report.MarkdownCode(e.Method), report.MarkdownCode(e.Route),
				report.MarkdownLink(e.Operation, e.DocsURL), fmtInt(*e.Baseline), fmtInt(e.Count), boldIncrease(e.Count-*e.Baseline))
		}
		rd.more(shown, len(changed), "changed endpoint", "changed endpoints", "\n")
		b.WriteString("\n")
	}

	rd.figures(s)
	rd.graphqlEndpoints(s)
	rd.notes(s)

	if len(s.Unmatched) > 0 {
		b.WriteString("\n**Unmatched requests**, with no recorded interaction (re-record the cassette if the code is right):\n")
		shown := rd.take(len(s.Unmatched))
		if shown > 0 {
			b.WriteString("\n")
		}
		for _, u := range s.Unmatched[:shown] {
			fmt.Fprintf(b, "- %s ×%s\n", report.MarkdownCode(u.Method+" "+u.Path), fmtInt(u.Count))
		}
		rd.more(shown, len(s.Unmatched), "unmatched request", "unmatched requests", "\n")
	}
}

func statusPhrase(s report.Status) string {
	switch s {
	case report.StatusOK:
		return "ok"
	case report.StatusOver:
		return "**over budget**"
	case report.StatusUnder:
		return "under budget"
	case report.StatusNew:
		return "new, no baseline"
	}
	return "**error**"
}

// figures writes the per-resource totals, the mutating total and the
// rest of the scenario's counts on one line.
func (rd *renderer) figures(s *report.Scenario) {
	b := &rd.b
	var res []string
	for _, name := range resourceNames(s) {
		now := s.Resources[name]
		if s.BaselineResources != nil {
			base := s.BaselineResources[name]
			res = append(res, fmt.Sprintf("%s %s → %s (%s)", report.MarkdownText(name), fmtInt(base), fmtInt(now), signed(now-base)))
		} else {
			res = append(res, report.MarkdownText(name)+" "+fmtInt(now))
		}
	}
	if len(res) > 0 {
		fmt.Fprintf(b, "**Resources:** %s · ", strings.Join(res, ", "))
	}
	if g := graphqlPoints(s); g != "" {
		fmt.Fprintf(b, "**GraphQL points:** %s · ", g)
	}
	b.WriteString("**mutating:** ")
	if s.BaselineMutating != nil {
		fmt.Fprintf(b, "%s → %s (%s)", fmtInt(*s.BaselineMutating), fmtInt(s.Mutating), signed(s.Mutating-*s.BaselineMutating))
	} else {
		b.WriteString(fmtInt(s.Mutating))
	}
	free := ""
	if s.NotModified > 0 {
		free = " (free)"
	}
	fmt.Fprintf(b, " · **secondary points:** %s · **repeats:** %s · **304s:** %s%s\n", fmtInt(s.SecondaryPoints), fmtInt(s.Repeats), fmtInt(s.NotModified), free)
}

// graphqlPoints is a scenario's GraphQL points: "5 → 13 (+8), estimated
// 15", "13 (not in the budget)"; "" when it has none now or then.
func graphqlPoints(s *report.Scenario) string {
	base := s.BaselineGraphQLPoints
	if s.GraphQLPoints == 0 && s.GraphQLPointsEstimated == 0 && (base == nil || *base == 0) {
		return ""
	}
	var text string
	switch {
	case base != nil:
		text = fmt.Sprintf("%s → %s (%s)", fmtInt(*base), fmtInt(s.GraphQLPoints), boldIncrease(s.GraphQLPoints-*base))
	case s.GraphQLPointsUnbudgeted():
		text = fmtInt(s.GraphQLPoints) + " (not in the budget)"
	default:
		text = fmtInt(s.GraphQLPoints)
	}
	if s.GraphQLPointsEstimated != s.GraphQLPoints {
		text += ", estimated " + fmtInt(s.GraphQLPointsEstimated)
	}
	return text
}

// graphqlEndpoints writes the points of each GraphQL endpoint with points
// now or then, on one line: what the scenario's points are made of.
func (rd *renderer) graphqlEndpoints(s *report.Scenario) {
	var eps []*report.Endpoint
	for i := range s.Endpoints {
		if e := &s.Endpoints[i]; e.Route == "/graphql" && report.GraphQLPointsNote(e, fmtInt) != "" {
			eps = append(eps, e)
		}
	}
	if len(eps) == 0 {
		return
	}
	shown := rd.take(len(eps))
	parts := make([]string, 0, shown+1)
	for _, e := range eps[:shown] {
		parts = append(parts, report.MarkdownLink(e.Operation, e.DocsURL)+" "+report.GraphQLPointsNote(e, fmtInt))
	}
	if shown < len(eps) {
		parts = append(parts, "and "+fmtInt(len(eps)-shown)+" more")
	}
	fmt.Fprintf(&rd.b, "\n**GraphQL points by operation:** %s\n", strings.Join(parts, " · "))
}

// notes writes the scenario's notes ([report.Scenario.Notes]) as a list.
func (rd *renderer) notes(s *report.Scenario) {
	notes := s.Notes(report.MarkdownCode, fmtInt)
	if len(notes) == 0 {
		return
	}
	b := &rd.b
	shown := rd.take(len(notes))
	if shown > 0 {
		b.WriteString("\n")
	}
	for _, n := range notes[:shown] {
		fmt.Fprintf(b, "- **%s:** %s\n", capitalize(n.Label), n.Text)
	}
	rd.more(shown, len(notes), "note", "notes", "\n")
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (rd *renderer) stale() {
	if len(rd.r.Stale) == 0 {
		return
	}
	shown := rd.take(len(rd.r.Stale))
	names := make([]string, shown)
	for i, n := range rd.r.Stale[:shown] {
		names[i] = report.MarkdownCode(n)
	}
	if shown < len(rd.r.Stale) {
		names = append(names, "and "+fmtInt(len(rd.r.Stale)-shown)+" more")
	}
	fmt.Fprintf(&rd.b, "\n**Stale budget entries**, no scenario has their name: %s. `callbudget update` with no `--scenario` removes them.\n", strings.Join(names, ", "))
}

func (rd *renderer) fullTables() {
	ss := rd.r.Scenarios
	n := 0
	for i := range ss {
		n += len(ss[i].Endpoints)
	}
	if n == 0 {
		return
	}
	b := &rd.b
	fmt.Fprintf(b, "\n<details><summary>Full endpoint tables (%s, %s)</summary>\n", plural(len(ss), "scenario", "scenarios"), plural(n, "endpoint", "endpoints"))
	for i := range ss {
		s := &ss[i]
		if len(s.Endpoints) == 0 {
			continue
		}
		compared := s.Baseline != nil
		fmt.Fprintf(b, "\n##### %s\n\n| method | route | operation | resource | calls |", report.MarkdownCode(s.Name))
		align := "|---|---|---|---|--:|"
		if compared {
			b.WriteString(" delta |")
			align += "--:|"
		}
		b.WriteString(" notes |\n" + align + "---|\n")
		for j := range s.Endpoints {
			e := &s.Endpoints[j]
			fmt.Fprintf(b, "| %s | %s | %s | %s |", report.MarkdownCode(e.Method), report.MarkdownCode(e.Route),
				report.MarkdownLink(e.Operation, e.DocsURL), report.MarkdownText(e.Resource))
			if compared {
				base := 0
				if e.Baseline != nil {
					base = *e.Baseline
				}
				fmt.Fprintf(b, " %s → %s | %s |", fmtInt(base), fmtInt(e.Count), signed(e.Count-base))
			} else {
				fmt.Fprintf(b, " %s |", fmtInt(e.Count))
			}
			fmt.Fprintf(b, " %s |\n", endpointNotes(e))
		}
	}
	b.WriteString("\n</details>\n")
}

// endpointNotes is what else is worth knowing about an endpoint's calls,
// in the report's words.
func endpointNotes(e *report.Endpoint) string { return report.EndpointNotes(e, fmtInt) }

func (rd *renderer) footer(head string) {
	var parts []string
	if rd.r.Tool != "" {
		parts = append(parts, report.MarkdownText(rd.r.Tool))
	}
	if head != "" {
		parts = append(parts, "head <code>"+head[:min(len(head), 12)]+"</code>")
	}
	if safeURL(rd.o.RunURL) {
		parts = append(parts, "[workflow run]("+rd.o.RunURL+")")
	}
	parts = append(parts, "this comment is updated in place on each run")
	fmt.Fprintf(&rd.b, "\n<sub>%s</sub>\n", strings.Join(parts, " · "))
}

// safeURL accepts http(s) URLs made only of characters that cannot end a
// Markdown link destination, start an HTML tag or mention anyone.
func safeURL(u string) bool {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || len(u) > 2048 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~/#%+=:?&", c) >= 0) {
			return false
		}
	}
	return true
}

// Truncate cuts body to at most max bytes at a line boundary, keeping its
// first two lines (the marker and the metadata) whatever max is, closing
// a <details> it cut open, and saying that the rest was left out.
func Truncate(body string, max int) string {
	if len(body) <= max {
		return body
	}
	const closeDetails = "\n</details>\n"
	const note = "\n_…the rest of this report was left out to keep this comment under GitHub's size limit: the job summary and the JSON report have it all._\n"
	keep := 0 // bytes of body kept: always the first two lines
	for range 2 {
		if i := strings.IndexByte(body[keep:], '\n'); i >= 0 {
			keep += i + 1
		} else {
			keep = len(body)
		}
	}
	for keep < len(body) {
		i := strings.IndexByte(body[keep:], '\n')
		if i < 0 {
			break
		}
		next := keep + i + 1
		if next+len(closeDetails)+len(note) > max {
			break
		}
		keep = next
	}
	out := body[:keep]
	if strings.Count(out, "<details>") > strings.Count(out, "</details>") {
		out += closeDetails
	}
	return out + note
}

func resourceNames(s *report.Scenario) []string {
	seen := make(map[string]bool, len(s.Resources)+len(s.BaselineResources))
	for k := range s.Resources {
		seen[k] = true
	}
	for k := range s.BaselineResources {
		seen[k] = true
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// updateCommand is the command that writes a scenario's baseline, the
// name quoted for a POSIX shell when it needs it.
func updateCommand(name string) string {
	safe := name != "" && strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/%+=", r))
	}) < 0
	if !safe {
		name = "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
	}
	return "callbudget update --scenario " + name
}

// signed writes a number with its sign always: +1, −2 (a true minus), 0.
func signed(d int) string {
	switch {
	case d > 0:
		return "+" + fmtInt(d)
	case d < 0:
		return "−" + fmtInt(-d)
	}
	return "0"
}

// boldIncrease is signed, in bold when it is an increase: the line a
// reviewer is looking for.
func boldIncrease(d int) string {
	if d > 0 {
		return "**" + signed(d) + "**"
	}
	return signed(d)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmtInt(n) + " " + many
}

// fmtInt writes n with thousands separators: 15,000.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
