package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error [ReadJSON] returns for a report
// that is not a valid version 1 report.
var ErrInvalid = errors.New("invalid report")

// WriteJSON writes the report as indented JSON with a trailing newline.
// The bytes are stable for the same report: fields in schema order, map
// keys sorted, and empty lists written as [] rather than null.
func (r *Report) WriteJSON(w io.Writer) error {
	out := *r
	if out.Scenarios == nil {
		out.Scenarios = []Scenario{}
	} else {
		out.Scenarios = make([]Scenario, len(r.Scenarios))
		copy(out.Scenarios, r.Scenarios)
	}
	for i := range out.Scenarios {
		s := &out.Scenarios[i]
		if s.Resources == nil {
			s.Resources = map[string]int{}
		}
		if s.Unmatched == nil {
			s.Unmatched = []Unmatched{}
		}
		if s.Endpoints == nil {
			s.Endpoints = []Endpoint{}
		}
	}
	b, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by [Report.WriteJSON], refusing anything
// else: more than maxBytes, not JSON, trailing data, unknown fields, a
// version other than [SchemaVersion], an unknown status or verdict, empty
// or duplicate scenario names, control characters in names, negative
// counts, figures that do not add up, and a verdict that contradicts the
// scenarios (an ok verdict over a scenario that is over or an error). The
// comment command reads reports from workflow runs it does not trust.
//
// Errors wrap [ErrInvalid], except a failure to read r.
func ReadJSON(r io.Reader, maxBytes int64) (*Report, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("read report: maxBytes %d is not positive", maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, maxBytes)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated JSON", ErrInvalid)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the report object", ErrInvalid)
	}
	if err := rep.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &rep, nil
}

// validate checks what the JSON decoder cannot.
func (r *Report) validate() error {
	if r.Version != SchemaVersion {
		return fmt.Errorf("version %d, want %d", r.Version, SchemaVersion)
	}
	if err := checkLabel("tool", r.Tool); err != nil {
		return err
	}
	switch r.Verdict {
	case VerdictOK, VerdictOver, VerdictError:
	default:
		return fmt.Errorf("unknown verdict %q", r.Verdict)
	}
	if r.Scenarios == nil {
		return errors.New(`missing "scenarios"`)
	}
	names := make(map[string]bool, len(r.Scenarios))
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if err := s.validate(); err != nil {
			return fmt.Errorf("scenario %d: %v", i+1, err)
		}
		if names[s.Name] {
			return fmt.Errorf("scenario %q appears twice", s.Name)
		}
		names[s.Name] = true
	}
	for _, name := range r.Stale {
		if err := checkLabel("stale scenario name", name); err != nil {
			return err
		}
	}
	if r.NoBudget != "" {
		if err := checkLabel("no_budget path", r.NoBudget); err != nil {
			return err
		}
	}
	// A regression must never read as a pass, nor an error as anything
	// else; new scenarios may pass or fail depending on --allow-new.
	if strict := verdictOf(r.Scenarios, false); r.Verdict != strict && r.Verdict != verdictOf(r.Scenarios, true) {
		return fmt.Errorf("verdict %q contradicts the scenarios (%q)", r.Verdict, strict)
	}
	return nil
}

func (s *Scenario) validate() error {
	if err := checkLabel("name", s.Name); err != nil {
		return err
	}
	switch s.Status {
	case StatusOK, StatusUnder, StatusOver, StatusNew, StatusError:
	default:
		return fmt.Errorf("unknown status %q", s.Status)
	}
	if s.Status == StatusError && s.Error == "" {
		return errors.New(`status "error" without an error message`)
	}
	if err := checkText("error", s.Error); err != nil {
		return err
	}
	if err := checkText("cassette", s.Cassette); err != nil {
		return err
	}
	if s.Resources == nil || s.Unmatched == nil || s.Endpoints == nil {
		return errors.New(`missing "resources", "unmatched" or "endpoints"`)
	}
	for _, c := range []struct {
		name string
		v    int
	}{
		{"total", s.Total}, {"mutating", s.Mutating}, {"secondary_points", s.SecondaryPoints},
		{"not_modified", s.NotModified}, {"repeats", s.Repeats}, {"budget_line", s.BudgetLine},
		{"tolerance", s.Tolerance},
	} {
		if c.v < 0 {
			return fmt.Errorf("negative %s %d", c.name, c.v)
		}
	}
	if err := checkResources("resources", s.Resources, s.Total); err != nil {
		return err
	}
	if s.Mutating > s.Total {
		return fmt.Errorf("mutating %d is more than total %d", s.Mutating, s.Total)
	}

	hasBase := s.Baseline != nil
	switch {
	case s.Status == StatusNew && hasBase:
		return errors.New(`status "new" with a baseline`)
	case (s.Status == StatusOver || s.Status == StatusUnder) && !hasBase:
		return fmt.Errorf("status %q without a baseline", s.Status)
	case !hasBase && (s.Delta != nil || s.BaselineMutating != nil || s.BaselineResources != nil):
		return errors.New("baseline figures without a baseline")
	}
	if hasBase {
		if *s.Baseline < 0 {
			return fmt.Errorf("negative baseline %d", *s.Baseline)
		}
		if s.Delta == nil || *s.Delta != s.Total-*s.Baseline {
			return fmt.Errorf("delta does not match total %d and baseline %d", s.Total, *s.Baseline)
		}
		if s.BaselineMutating != nil && (*s.BaselineMutating < 0 || *s.BaselineMutating > *s.Baseline) {
			return fmt.Errorf("baseline_mutating %d out of range", *s.BaselineMutating)
		}
		if s.BaselineResources != nil {
			if err := checkResources("baseline_resources", s.BaselineResources, *s.Baseline); err != nil {
				return err
			}
		}
	}

	for i, u := range s.Unmatched {
		if err := checkText("unmatched method", u.Method); err != nil {
			return err
		}
		if err := checkText("unmatched path", u.Path); err != nil {
			return err
		}
		if u.Count <= 0 {
			return fmt.Errorf("unmatched request %d: count %d is not positive", i+1, u.Count)
		}
	}
	if len(s.Refused) == 0 {
		s.Refused = nil // "refused": [] reads as none, as WriteJSON leaves it out
	}
	for i, r := range s.Refused {
		if r.Host == "" {
			return fmt.Errorf("refused host %d: empty host", i+1)
		}
		if err := checkText("refused host", r.Host); err != nil {
			return err
		}
		if r.Count <= 0 {
			return fmt.Errorf("refused host %q: count %d is not positive", r.Host, r.Count)
		}
		if i > 0 && s.Refused[i-1].Host >= r.Host {
			return fmt.Errorf("refused hosts not sorted or repeated: %q after %q", r.Host, s.Refused[i-1].Host)
		}
	}
	sum, baseSum := 0, 0
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if err := e.validate(hasBase); err != nil {
			return fmt.Errorf("endpoint %d: %v", i+1, err)
		}
		sum += e.Count
		if e.Baseline != nil {
			baseSum += *e.Baseline
		}
	}
	if sum != s.Total {
		return fmt.Errorf("total %d but endpoints add up to %d", s.Total, sum)
	}
	if hasBase && baseSum != *s.Baseline {
		return fmt.Errorf("baseline %d but endpoint baselines add up to %d", *s.Baseline, baseSum)
	}
	return nil
}

func (e *Endpoint) validate(hasBase bool) error {
	if err := checkText("method", e.Method); err != nil {
		return err
	}
	if err := checkText("route", e.Route); err != nil {
		return err
	}
	if err := checkText("operation", e.Operation); err != nil {
		return err
	}
	if err := checkText("resource", e.Resource); err != nil {
		return err
	}
	if e.DocsURL != "" && !safeDocsURL(e.DocsURL) {
		return fmt.Errorf("docs_url %q is not a docs.github.com URL", e.DocsURL)
	}
	if e.Count < 0 || e.Repeats < 0 || e.NotModified < 0 {
		return errors.New("negative count")
	}
	if e.Repeats > e.Count || e.NotModified > e.Count {
		return errors.New("repeats or not_modified above count")
	}
	if e.Baseline != nil && (*e.Baseline < 0 || !hasBase) {
		return errors.New("baseline negative or on a scenario with none")
	}
	return nil
}

func checkResources(field string, m map[string]int, total int) error {
	sum := 0
	for k, v := range m {
		if err := checkText(field+" key", k); err != nil {
			return err
		}
		if v < 0 {
			return fmt.Errorf("negative %s %s %d", field, k, v)
		}
		sum += v
	}
	if sum != total {
		return fmt.Errorf("%s add up to %d, not %d", field, sum, total)
	}
	return nil
}

// checkLabel accepts a non-empty name of reasonable length: scenario
// names, methods, resource names, the tool. Any character is allowed, as
// the renderers escape them: a scenario of count is named after a cassette
// file, and file names may hold anything.
func checkLabel(field, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s", field)
	}
	if len(s) > 1024 {
		return fmt.Errorf("%s longer than 1024 bytes", field)
	}
	return nil
}

// checkText accepts what a client may have sent (routes, paths, operation
// names) and error messages: anything, since the renderers escape it, but
// not unbounded.
func checkText(field, s string) error {
	if len(s) > maxText {
		return fmt.Errorf("%s longer than %d bytes", field, maxText)
	}
	return nil
}

const maxText = 64 << 10
