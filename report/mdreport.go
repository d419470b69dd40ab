package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown, the
// content of the sticky PR comment and the job summary: the verdict first,
// a table of the scenarios (baseline → now, delta), then per scenario why
// it is over or the hint for under and new, the endpoints that changed,
// the per-resource totals and GraphQL points, the notes
// ([Scenario.Notes]), the unmatched requests, and the full endpoint table
// in a collapsed <details>; last, the stale budget entries.
//
// Every string from a cassette or a request goes through the escaping of
// markdown.go. The output holds no HTML comment of its own, so the comment
// command can add its marker.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "### %s callbudget: %s\n\n", verdictMarker(r.Verdict), r.verdictText())
	fmt.Fprintf(b, "%s (%s).\n", capitalize(verdictDetail(r)), r.verdictSummary())

	if len(r.Scenarios) > 0 {
		b.WriteString("\n|   | scenario | calls | delta | status |\n|:-:|---|--:|--:|---|\n")
		for i := range r.Scenarios {
			s := &r.Scenarios[i]
			calls, delta := strconv.Itoa(s.Total), "—"
			if s.Baseline != nil {
				calls = strconv.Itoa(*s.Baseline) + " → " + calls
				delta = signed(s.Total - *s.Baseline)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", marker(s.Status), mdCode(s.Name), calls, delta, statusWord(s.Status))
		}
	}
	for i := range r.Scenarios {
		mdScenario(b, &r.Scenarios[i])
	}
	if len(r.Stale) > 0 {
		names := make([]string, len(r.Stale))
		for i, n := range r.Stale {
			names[i] = mdCode(n)
		}
		fmt.Fprintf(b, "\n**Stale budget entries**, no scenario has their name: %s. `callbudget update` with no `--scenario` removes them.\n",
			strings.Join(names, ", "))
	}
	b.WriteString(r.NoBudgetMarkdown())
	if r.Tool != "" {
		fmt.Fprintf(b, "\n<sub>%s</sub>\n", mdText(r.Tool))
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func verdictMarker(v Verdict) string {
	switch v {
	case VerdictOK:
		return "✓"
	case VerdictOver:
		return "✗"
	}
	return "!"
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func statusWord(s Status) string {
	switch s {
	case StatusOver, StatusError:
		return "**" + string(s) + "**"
	}
	return string(s)
}

func mdScenario(b *bufio.Writer, s *Scenario) {
	fmt.Fprintf(b, "\n#### %s %s: ", marker(s.Status), mdCode(s.Name))
	switch {
	case s.Baseline != nil:
		fmt.Fprintf(b, "%d → %s (%s)", *s.Baseline, plural(s.Total, "call", "calls"), signed(s.Total-*s.Baseline))
	default:
		b.WriteString(plural(s.Total, "call", "calls"))
	}
	fmt.Fprintf(b, ", %s\n\n", statusPhrase(s.Status))

	switch s.Status {
	case StatusError:
		fmt.Fprintf(b, "%s\n", MarkdownError(s.Error))
	case StatusOver:
		var why []string
		for _, e := range s.Excesses() {
			why = append(why, excessText(e, mdCode))
		}
		if len(why) > 0 {
			fmt.Fprintf(b, "**Over budget:** %s.\n\n", strings.Join(why, "; "))
		}
	case StatusUnder:
		fmt.Fprintf(b, "Fewer calls than the budget: tighten it with %s.\n\n", mdCode(updateCommand(s.Name)))
	case StatusNew:
		fmt.Fprintf(b, "Not in the budget: review these calls, then accept them with %s.\n\n", mdCode(updateCommand(s.Name)))
	}
	if s.Cassette != "" {
		fmt.Fprintf(b, "Cassette: %s\n\n", mdCode(s.Cassette))
	}

	changed, _ := changedFirst(s.Endpoints)
	switch {
	case s.Baseline == nil:
	case len(changed) == 0:
		b.WriteString("No endpoint changed.\n\n")
	default:
		mdEndpointTable(b, changed, true, false)
		b.WriteString("\n")
	}

	mdFigures(b, s)
	mdNotes(b, s)

	if len(s.Unmatched) > 0 {
		b.WriteString("\n**Unmatched requests**, with no recorded interaction (re-record the cassette if the code is right):\n\n")
		for _, u := range s.Unmatched {
			fmt.Fprintf(b, "- %s ×%d\n", mdCode(u.Method+" "+u.Path), u.Count)
		}
	}

	if len(s.Refused) > 0 {
		b.WriteString("\n**Refused connections** (replay has no network: only the GitHub API hosts are answered):\n\n")
		for _, r := range s.Refused {
			fmt.Fprintf(b, "- CONNECT %s ×%d\n", mdCode(r.Host), r.Count)
		}
	}

	if len(s.Endpoints) > 0 {
		changed, same := changedFirst(s.Endpoints)
		fmt.Fprintf(b, "\n<details><summary>All %s</summary>\n\n", plural(len(s.Endpoints), "endpoint", "endpoints"))
		mdEndpointTable(b, append(changed, same...), s.Baseline != nil, true)
		b.WriteString("\n</details>\n")
	}
}

func statusPhrase(s Status) string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusOver:
		return "**over budget**"
	case StatusUnder:
		return "under budget"
	case StatusNew:
		return "new, no baseline"
	}
	return "**error**"
}

// mdEndpointTable writes one row per endpoint: method, route (code),
// operation (linked to its docs), calls (baseline → now when compared),
// delta; full adds the resource and the notes.
func mdEndpointTable(b *bufio.Writer, eps []Endpoint, compared, full bool) {
	b.WriteString("| method | route | operation |")
	align := "|---|---|---|"
	if full {
		b.WriteString(" resource |")
		align += "---|"
	}
	b.WriteString(" calls |")
	align += "--:|"
	if compared {
		b.WriteString(" delta |")
		align += "--:|"
	}
	if full {
		b.WriteString(" notes |")
		align += "---|"
	}
	b.WriteString("\n" + align + "\n")
	for i := range eps {
		e := &eps[i]
		fmt.Fprintf(b, "| %s | %s | %s |", mdCode(e.Method), mdCode(e.Route), mdLink(e.Operation, e.DocsURL))
		if full {
			fmt.Fprintf(b, " %s |", mdText(e.Resource))
		}
		if compared {
			base := 0
			if e.Baseline != nil {
				base = *e.Baseline
			}
			fmt.Fprintf(b, " %d → %d | %s |", base, e.Count, signed(e.Count-base))
		} else {
			fmt.Fprintf(b, " %d |", e.Count)
		}
		if full {
			fmt.Fprintf(b, " %s |", endpointNotes(e))
		}
		b.WriteString("\n")
	}
}

func mdFigures(b *bufio.Writer, s *Scenario) {
	var res []string
	for _, name := range s.resourceNames() {
		now := s.Resources[name]
		if s.BaselineResources != nil {
			base := s.BaselineResources[name]
			res = append(res, fmt.Sprintf("%s %d → %d (%s)", mdText(name), base, now, signed(now-base)))
		} else {
			res = append(res, fmt.Sprintf("%s %d", mdText(name), now))
		}
	}
	if len(res) > 0 {
		fmt.Fprintf(b, "**Resources:** %s · ", strings.Join(res, ", "))
	}
	if g := s.graphqlPointsText(func(_ int, text string) string { return text }); g != "" {
		fmt.Fprintf(b, "**GraphQL:** %s · ", g)
	}
	fmt.Fprintf(b, "**mutating:** ")
	if s.BaselineMutating != nil {
		fmt.Fprintf(b, "%d → %d (%s)", *s.BaselineMutating, s.Mutating, signed(s.Mutating-*s.BaselineMutating))
	} else {
		fmt.Fprintf(b, "%d", s.Mutating)
	}
	fmt.Fprintf(b, " · **secondary points:** %d · **repeats:** %d · **304s:** %d%s\n", s.SecondaryPoints, s.Repeats, s.NotModified, freeNote(s.NotModified))
}

// mdNotes writes the scenario's notes ([Scenario.Notes]) as a list.
func mdNotes(b *bufio.Writer, s *Scenario) {
	notes := s.Notes(mdCode, strconv.Itoa)
	if len(notes) == 0 {
		return
	}
	b.WriteString("\n")
	for _, n := range notes {
		fmt.Fprintf(b, "- **%s:** %s\n", capitalize(n.Label), n.Text)
	}
}
