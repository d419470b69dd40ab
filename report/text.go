package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// TextOptions configures [Report.WriteText].
type TextOptions struct {
	// Color paints statuses and deltas with ANSI escapes. The command
	// decides: on a terminal, and never when NO_COLOR is set.
	Color bool
}

// ANSI colours. Every code is a two-digit SGR, so a painted table cell
// always carries the same number of invisible bytes and tabwriter's column
// widths stay right.
const (
	sgrBold  = "01"
	sgrRed   = "31"
	sgrGreen = "32"
	sgrYel   = "33"
	sgrCyan  = "36"
	sgrGrey  = "90"
)

type textWriter struct {
	w     *bufio.Writer
	color bool
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func statusColor(s Status) string {
	switch s {
	case StatusOK:
		return sgrGreen
	case StatusUnder:
		return sgrCyan
	case StatusNew:
		return sgrYel
	}
	return sgrRed
}

func verdictColor(v Verdict) string {
	if v == VerdictOK {
		return sgrGreen
	}
	return sgrRed
}

func deltaColor(d int) string {
	switch {
	case d > 0:
		return sgrRed
	case d < 0:
		return sgrGreen
	}
	return sgrGrey
}

// WriteText writes the terminal report: per scenario a header line, why it
// is over, the endpoint table (endpoints that changed first), the
// per-resource totals, the GraphQL points, mutating calls, secondary-limit
// points, repeats, free 304s, the notes ([Scenario.Notes]), unmatched
// requests and refused hosts, a hint for under and new scenarios; then the
// stale budget entries and the verdict.
//
// Strings from cassettes and requests are shown through [visible]: no
// control character, terminal escape or bidi override reaches the terminal.
func (r *Report) WriteText(w io.Writer, opts TextOptions) error {
	t := &textWriter{w: bufio.NewWriter(w), color: opts.Color}
	for i := range r.Scenarios {
		if i > 0 {
			t.w.WriteString("\n")
		}
		t.scenario(&r.Scenarios[i])
	}
	if len(r.Stale) > 0 {
		names := make([]string, len(r.Stale))
		for i, n := range r.Stale {
			names[i] = visible(n)
		}
		fmt.Fprintf(t.w, "\nstale budget entries, no scenario has their name: %s\n  `callbudget update` with no --scenario removes them\n",
			strings.Join(names, ", "))
	}
	if note := r.NoBudgetNote(); note != "" {
		fmt.Fprintf(t.w, "\n%s\n", visible(note))
	}
	fmt.Fprintf(t.w, "\nverdict: %s (%s) — %s\n", t.paint(verdictColor(r.Verdict), strings.ToUpper(string(r.Verdict))),
		r.verdictSummary(), verdictDetail(r))
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func (t *textWriter) scenario(s *Scenario) {
	w := t.w
	// Header: "✗ pr-opened  14 calls (baseline 13, +1)  OVER".
	fmt.Fprintf(w, "%s %s  %s", t.paint(statusColor(s.Status), marker(s.Status)), t.paint(sgrBold, visible(s.Name)),
		plural(s.Total, "call", "calls"))
	switch {
	case s.Baseline != nil:
		fmt.Fprintf(w, " (baseline %d, %s", *s.Baseline, t.paint(deltaColor(s.Total-*s.Baseline), signed(s.Total-*s.Baseline)))
		if s.Tolerance > 0 {
			fmt.Fprintf(w, ", tolerance %d", s.Tolerance)
		}
		w.WriteString(")")
	case s.Status == StatusNew:
		w.WriteString(" (no baseline)")
	}
	fmt.Fprintf(w, "  %s\n", t.paint(statusColor(s.Status), strings.ToUpper(string(s.Status))))
	if s.Cassette != "" {
		fmt.Fprintf(w, "  cassette %s\n", visible(s.Cassette))
	}

	switch s.Status {
	case StatusError:
		// An error of several lines (the secret scan's findings) is
		// printed as those lines, indented under it; each is escaped.
		first, rest := ErrorLines(s.Error)
		fmt.Fprintf(w, "  %s %s\n", t.paint(sgrRed, "error:"), visible(first))
		for _, line := range rest {
			fmt.Fprintf(w, "    %s\n", visible(line))
		}
	case StatusOver:
		for _, e := range s.Excesses() {
			fmt.Fprintf(w, "  %s %s\n", t.paint(sgrRed, "over budget:"), excessText(e, visible))
		}
	case StatusUnder:
		fmt.Fprintf(w, "  fewer calls than the budget: tighten it with `%s`\n", visible(updateCommand(s.Name)))
	case StatusNew:
		fmt.Fprintf(w, "  not in the budget: review these calls, then accept them with `%s`\n", visible(updateCommand(s.Name)))
	}

	if len(s.Endpoints) == 0 {
		w.WriteString("  no calls\n")
	} else {
		t.endpoints(s)
	}
	t.figures(s)
	t.notes(s)
	t.unmatched(s)
	t.refused(s)
}

// endpoints writes the aligned endpoint table, changed endpoints first.
func (t *textWriter) endpoints(s *Scenario) {
	changed, same := changedFirst(s.Endpoints)
	rows := append(changed, same...)
	compared := s.Baseline != nil

	// Numbers are right-aligned by padding them here; tabwriter
	// left-aligns every column. The delta cell is painted after padding.
	var header []string
	if compared {
		header = []string{"METHOD", "ROUTE", "OPERATION", "BASELINE", "NOW", "DELTA", "NOTES"}
	} else {
		header = []string{"METHOD", "ROUTE", "OPERATION", "CALLS", "NOTES"}
	}
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, header)
	deltas := make([]int, len(rows))
	for i := range rows {
		e := &rows[i]
		op := visible(e.Operation)
		if op == "" {
			op = "-"
		}
		row := []string{visible(e.Method), visible(e.Route), op}
		if compared {
			base := 0
			if e.Baseline != nil {
				base = *e.Baseline
			}
			deltas[i] = e.Count - base
			row = append(row, strconv.Itoa(base), strconv.Itoa(e.Count), signed(deltas[i]))
		} else {
			row = append(row, strconv.Itoa(e.Count))
		}
		cells = append(cells, append(row, endpointNotes(e)))
	}
	hasNotes := false
	for _, row := range cells[1:] {
		hasNotes = hasNotes || row[len(row)-1] != ""
	}
	if !hasNotes {
		for i := range cells {
			cells[i] = cells[i][:len(cells[i])-1]
		}
	}
	numeric := len(header) - 2 // the last number column; numbers start after OPERATION
	for col := 3; col <= numeric; col++ {
		width := 0
		for _, row := range cells {
			width = max(width, utf8.RuneCountInString(row[col]))
		}
		for _, row := range cells {
			row[col] = strings.Repeat(" ", width-utf8.RuneCountInString(row[col])) + row[col]
		}
	}
	if compared {
		delta := len(header) - 2
		for i, row := range cells {
			if i == 0 {
				row[delta] = t.paint(sgrBold, row[delta])
			} else {
				row[delta] = t.paint(deltaColor(deltas[i-1]), row[delta])
			}
		}
	}

	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	for _, row := range cells {
		tw.Write([]byte("  " + strings.TrimRight(strings.Join(row, "\t"), "\t") + "\n"))
	}
	tw.Flush()
}

// figures writes the per-resource totals, the GraphQL points, mutating
// calls, secondary points, repeats and 304s.
func (t *textWriter) figures(s *Scenario) {
	w := t.w
	var res []string
	for _, name := range s.resourceNames() {
		now := s.Resources[name]
		if s.BaselineResources != nil {
			base := s.BaselineResources[name]
			res = append(res, fmt.Sprintf("%s %d (baseline %d, %s)", visible(name), now, base, t.paint(deltaColor(now-base), signed(now-base))))
		} else {
			res = append(res, fmt.Sprintf("%s %d", visible(name), now))
		}
	}
	if len(res) > 0 {
		fmt.Fprintf(w, "  resources: %s\n", strings.Join(res, ", "))
	}
	if g := s.graphqlPointsText(func(d int, text string) string { return t.paint(deltaColor(d), text) }); g != "" {
		fmt.Fprintf(w, "  graphql: %s\n", g)
	}
	fmt.Fprintf(w, "  mutating %d", s.Mutating)
	if s.BaselineMutating != nil {
		d := s.Mutating - *s.BaselineMutating
		fmt.Fprintf(w, " (baseline %d, %s)", *s.BaselineMutating, t.paint(deltaColor(d), signed(d)))
	}
	fmt.Fprintf(w, " · secondary points %d · repeats %d · 304s %d%s\n", s.SecondaryPoints, s.Repeats, s.NotModified, freeNote(s.NotModified))
}

// notes writes one line per note of the scenario (see [Scenario.Notes]).
func (t *textWriter) notes(s *Scenario) {
	for _, n := range s.Notes(visible, strconv.Itoa) {
		fmt.Fprintf(t.w, "  %s %s\n", t.paint(sgrYel, n.Label+":"), n.Text)
	}
}

// refused writes one line per host the replay refused a CONNECT to.
func (t *textWriter) refused(s *Scenario) {
	for _, r := range s.Refused {
		fmt.Fprintf(t.w, "  %s %s ×%d (replay has no network: only the GitHub API hosts are answered)\n",
			t.paint(sgrRed, "refused CONNECT to"), visible(r.Host), r.Count)
	}
}

func (t *textWriter) unmatched(s *Scenario) {
	n := 0
	for _, u := range s.Unmatched {
		n += u.Count
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(t.w, "  %s, no recorded interaction (re-record the cassette if the code is right):\n",
		t.paint(sgrRed, plural(n, "unmatched request", "unmatched requests")))
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	for _, u := range s.Unmatched {
		fmt.Fprintf(tw, "    %s\t%s\t×%d\n", visible(u.Method), visible(u.Path), u.Count)
	}
	tw.Flush()
}
