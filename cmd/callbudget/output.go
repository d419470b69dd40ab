package main

import (
	"bytes"
	"fmt"

	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/report"
)

// writeReport prints the report on stdout in the chosen format and, with
// --report, writes the JSON report to that file too (atomically).
func (a *app) writeReport(r *report.Report) error {
	var err error
	switch a.v.GetString("format") {
	case "json":
		err = r.WriteJSON(a.stdout)
	case "markdown":
		err = r.WriteMarkdown(a.stdout)
	default:
		color := isTerminal(a.stdout) && a.env.get("NO_COLOR") == "" && a.env.get("TERM") != "dumb"
		err = r.WriteText(a.stdout, report.TextOptions{Color: color})
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return a.saveReport(r)
}

// saveReport writes the JSON report to the --report file, if one is named.
func (a *app) saveReport(r *report.Report) error {
	if path := a.v.GetString("report"); path != "" {
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			return fmt.Errorf("write report %s: %w", path, err)
		}
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			return fmt.Errorf("write report %s: %w", path, err)
		}
	}
	return nil
}
