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
// counts, figures that do not add up (the endpoints' calls, GraphQL
// points, estimates, dropped conditionals and edited queries must each
// make the scenario's, their baselines the scenario's baselines), a
// resource mismatch that names one resource twice, and a verdict that
// contradicts the scenarios (an ok verdict over a scenario that is over
// or an error). The comment command reads reports from workflow runs it
// does not trust.
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
		{"tolerance", s.Tolerance}, {"graphql_points", s.GraphQLPoints},
		{"graphql_points_estimated", s.GraphQLPointsEstimated}, {"graphql_points_tolerance", s.GraphQLPointsTolerance},
		{"conditional_dropped", s.ConditionalDropped}, {"graphql_edited", s.GraphQLEdited},
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
	if s.ConditionalDropped > s.Total || s.GraphQLEdited > s.Total {
		return fmt.Errorf("conditional_dropped %d or graphql_edited %d is more than total %d", s.ConditionalDropped, s.GraphQLEdited, s.Total)
	}

	hasBase := s.Baseline != nil
	switch {
	case s.Status == StatusNew && hasBase:
		return errors.New(`status "new" with a baseline`)
	case (s.Status == StatusOver || s.Status == StatusUnder) && !hasBase:
		return fmt.Errorf("status %q without a baseline", s.Status)
	case !hasBase && (s.Delta != nil || s.BaselineMutating != nil || s.BaselineResources != nil ||
		s.BaselineGraphQLPoints != nil || s.GraphQLPointsTolerance != 0):
		return errors.New("baseline figures without a baseline")
	case s.BaselineGraphQLPoints == nil && s.GraphQLPointsTolerance != 0:
		return errors.New("graphql_points_tolerance without baseline_graphql_points")
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
		if s.BaselineGraphQLPoints != nil && *s.BaselineGraphQLPoints < 0 {
			return fmt.Errorf("negative baseline_graphql_points %d", *s.BaselineGraphQLPoints)
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
	if len(s.ResourceMismatches) == 0 {
		s.ResourceMismatches = nil // as Refused
	}
	for i, m := range s.ResourceMismatches {
		if err := m.validate(); err != nil {
			return fmt.Errorf("resource mismatch %d: %v", i+1, err)
		}
	}
	var sum, baseSum endpointSums
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if err := e.validate(hasBase, s.BaselineGraphQLPoints != nil); err != nil {
			return fmt.Errorf("endpoint %d: %v", i+1, err)
		}
		sum.add(e.Count, e.GraphQLPoints, e.GraphQLPointsEstimated, e.ConditionalDropped, e.GraphQLEdited)
		baseSum.add(deref(e.Baseline), deref(e.BaselineGraphQLPoints), 0, 0, 0)
	}
	for _, c := range []struct {
		name      string
		total, of int
	}{
		{"total", s.Total, sum.calls},
		{"graphql_points", s.GraphQLPoints, sum.points},
		{"graphql_points_estimated", s.GraphQLPointsEstimated, sum.estimated},
		{"conditional_dropped", s.ConditionalDropped, sum.dropped},
		{"graphql_edited", s.GraphQLEdited, sum.edited},
	} {
		if c.total != c.of {
			return fmt.Errorf("%s %d but endpoints add up to %d", c.name, c.total, c.of)
		}
	}
	if hasBase && baseSum.calls != *s.Baseline {
		return fmt.Errorf("baseline %d but endpoint baselines add up to %d", *s.Baseline, baseSum.calls)
	}
	if b := s.BaselineGraphQLPoints; b != nil && baseSum.points != *b {
		return fmt.Errorf("baseline_graphql_points %d but endpoint baselines add up to %d", *b, baseSum.points)
	}
	return nil
}

// endpointSums adds up the endpoints' figures that must make the
// scenario's.
type endpointSums struct {
	calls, points, estimated, dropped, edited int
}

func (s *endpointSums) add(calls, points, estimated, dropped, edited int) {
	s.calls += calls
	s.points += points
	s.estimated += estimated
	s.dropped += dropped
	s.edited += edited
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (m *ResourceMismatch) validate() error {
	for _, f := range []struct{ name, v string }{
		{"method", m.Method}, {"route", m.Route}, {"operation", m.Operation},
	} {
		if err := checkText(f.name, f.v); err != nil {
			return err
		}
	}
	if err := checkLabel("resource", m.Resource); err != nil {
		return err
	}
	if err := checkLabel("recorded resource", m.Recorded); err != nil {
		return err
	}
	if m.Resource == m.Recorded {
		return fmt.Errorf("recorded resource %q is the route's", m.Recorded)
	}
	if m.Count <= 0 {
		return fmt.Errorf("count %d is not positive", m.Count)
	}
	return nil
}

func (e *Endpoint) validate(hasBase, hasPointsBase bool) error {
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
	// not_modified is besides count (free 304s), so it has no bound but
	// its own.
	if e.Count < 0 || e.Repeats < 0 || e.NotModified < 0 || e.ConditionalDropped < 0 ||
		e.GraphQLPoints < 0 || e.GraphQLPointsEstimated < 0 || e.GraphQLEdited < 0 {
		return errors.New("negative count")
	}
	if e.Repeats > e.Count || e.ConditionalDropped > e.Count || e.GraphQLEdited > e.Count {
		return errors.New("repeats, conditional_dropped or graphql_edited above count")
	}
	if e.Baseline != nil && (*e.Baseline < 0 || !hasBase) {
		return errors.New("baseline negative or on a scenario with none")
	}
	if b := e.BaselineGraphQLPoints; b != nil && (*b < 0 || !hasPointsBase) {
		return errors.New("baseline_graphql_points negative or on a scenario with none")
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
