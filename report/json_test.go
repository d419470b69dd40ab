package report

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/replay"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			want := fx.rep()
			var b bytes.Buffer
			if err := want.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSON(bytes.NewReader(b.Bytes()), 1<<20)
			if err != nil {
				t.Fatalf("ReadJSON(WriteJSON(r)): %v\n%s", err, b.Bytes())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the report:\ngot  %+v\nwant %+v", got, want)
			}
			var again bytes.Buffer
			if err := got.WriteJSON(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), b.Bytes()) {
				t.Errorf("second WriteJSON differs:\n%s\n%s", again.Bytes(), b.Bytes())
			}
		})
	}
}

func TestWriteJSONNeverNull(t *testing.T) {
	t.Parallel()
	r := &Report{Version: SchemaVersion, Tool: "t", Verdict: VerdictOK, Scenarios: []Scenario{{Name: "s", Status: StatusOK}}}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("null")) {
		t.Errorf("WriteJSON wrote null:\n%s", b.Bytes())
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) {
		t.Errorf("WriteJSON output does not end in a newline")
	}
	if _, err := ReadJSON(&b, 1<<20); err != nil {
		t.Errorf("ReadJSON of a minimal report: %v", err)
	}
	if r.Scenarios[0].Unmatched != nil {
		t.Errorf("WriteJSON changed the report it wrote")
	}
}

func TestReadJSONBad(t *testing.T) {
	var ok bytes.Buffer
	if err := overReport().WriteJSON(&ok); err != nil {
		t.Fatal(err)
	}
	good := ok.String()
	tests := []struct {
		name string
		in   string
		max  int64
		want string // in the error message
	}{
		{"not JSON", "callbudget: over budget\n", 0, "invalid character"},
		{"empty", "", 0, "truncated"},
		{"truncated", good[:len(good)/2], 0, "truncated"},
		{"too big", good, int64(len(good) - 1), "larger than"},
		{"trailing data", good + "{}", 0, "data after"},
		{"unknown field", strings.Replace(good, `"tool"`, `"allow_new": true, "tool"`, 1), 0, `unknown field "allow_new"`},
		{"unknown nested field", strings.Replace(good, `"method": "GET"`, `"method": "GET", "x": 1`, 1), 0, `unknown field "x"`},
		{"version 2", strings.Replace(good, `"version": 1`, `"version": 2`, 1), 0, "version 2"},
		{"version missing", strings.Replace(good, `"version": 1,`, ``, 1), 0, "version 0"},
		{"negative total", strings.Replace(good, `"secondary_points": 14`, `"secondary_points": -14`, 1), 0, "negative secondary_points"},
		{"negative endpoint count", strings.Replace(good, `"count": 1,`, `"count": -1,`, 1), 0, "negative count"},
		{"count not an integer", strings.Replace(good, `"total": 6`, `"total": 6.5`, 1), 0, "cannot unmarshal"},
		{"unknown status", strings.Replace(good, `"status": "over"`, `"status": "fine"`, 1), 0, `unknown status "fine"`},
		{"unknown verdict", strings.Replace(good, `"verdict": "over"`, `"verdict": "pass"`, 1), 0, `unknown verdict "pass"`},
		{"verdict hides a regression", strings.Replace(good, `"verdict": "over"`, `"verdict": "ok"`, 1), 0, "contradicts"},
		{"empty name", strings.Replace(good, `"name": "pr-opened"`, `"name": ""`, 1), 0, "empty name"},
		{"total does not add up", strings.Replace(good, `"total": 6`, `"total": 7`, 1), 0, "add up"},
		{"delta does not match", strings.Replace(good, `"delta": 1`, `"delta": -1`, 1), 0, "delta"},
		{"null scenarios", `{"version": 1, "tool": "t", "scenarios": null, "verdict": "ok"}`, 0, `missing "scenarios"`},
		{"null unmatched", strings.Replace(good, `"unmatched": []`, `"unmatched": null`, 1), 0, `missing "resources", "unmatched" or "endpoints"`},
		{"over without baseline", `{"version": 1, "tool": "t", "scenarios": [{"name": "s", "status": "over", "total": 0, "resources": {}, "mutating": 0, "secondary_points": 0, "not_modified": 0, "repeats": 0, "unmatched": [], "endpoints": []}], "verdict": "over"}`, 0, "without a baseline"},
		{"refused count 0", strings.Replace(good, `"unmatched": [],`, `"unmatched": [], "refused": [{"host": "example.com", "count": 0}],`, 1), 0, `refused host "example.com": count 0 is not positive`},
		{"refused empty host", strings.Replace(good, `"unmatched": [],`, `"unmatched": [], "refused": [{"host": "", "count": 1}],`, 1), 0, "refused host 1: empty host"},
		{"refused twice", strings.Replace(good, `"unmatched": [],`, `"unmatched": [], "refused": [{"host": "a.example", "count": 1}, {"host": "a.example", "count": 1}],`, 1), 0, "not sorted or repeated"},
		{"refused unknown field", strings.Replace(good, `"unmatched": [],`, `"unmatched": [], "refused": [{"host": "a.example", "port": 443, "count": 1}],`, 1), 0, `unknown field "port"`},
		{"docs url not docs.github.com", strings.Replace(good, `https://docs.github.com/graphql`, `javascript:alert(1)`, 1), 0, "docs_url"},
		{"not UTF-8", strings.Replace(good, `pr-opened`, "pr-\xff", 1), 0, "UTF-8"},
	}
	var gq bytes.Buffer
	if err := graphqlReport().WriteJSON(&gq); err != nil {
		t.Fatal(err)
	}
	g := gq.String()
	tests = append(tests, []struct {
		name string
		in   string
		max  int64
		want string
	}{
		{"negative graphql points", strings.Replace(g, `"graphql_points": 13`, `"graphql_points": -13`, 1), 0, "negative graphql_points"},
		{"graphql points do not add up", strings.Replace(g, `"graphql_points": 13`, `"graphql_points": 14`, 1), 0, "graphql_points 14 but endpoints add up to 13"},
		{"estimate does not add up", strings.Replace(g, `"graphql_points_estimated": 15`, `"graphql_points_estimated": 16`, 1), 0, "graphql_points_estimated 16 but endpoints add up to 15"},
		{"points baseline does not add up", strings.Replace(g, `"baseline_graphql_points": 5`, `"baseline_graphql_points": 6`, 1), 0, "baseline_graphql_points 6 but endpoint baselines add up to 5"},
		{"negative points baseline", strings.Replace(g, `"baseline_graphql_points": 5`, `"baseline_graphql_points": -5`, 1), 0, "negative baseline_graphql_points"},
		{"endpoint points baseline without the scenario's", strings.Replace(strings.Replace(g, `"baseline_graphql_points": 5,`, ``, 1), `,
      "graphql_points_tolerance": 1`, ``, 1), 0, "baseline_graphql_points negative or on a scenario with none"},
		{"points tolerance without a points baseline", strings.Replace(good, `"budget_line"`, `"graphql_points_tolerance": 2, "budget_line"`, 1), 0, "graphql_points_tolerance without baseline_graphql_points"},
		{"points baseline without a baseline", strings.Replace(countJSON(t), `"secondary_points"`, `"baseline_graphql_points": 1, "secondary_points"`, 1), 0, "baseline figures without a baseline"},
		{"conditional dropped does not add up", strings.Replace(g, `"conditional_dropped": 1,`, `"conditional_dropped": 0,`, 1), 0, "conditional_dropped 0 but endpoints add up to 1"},
		{"conditional dropped above count", strings.Replace(g, `"count": 1,
          "baseline": 0,
          "conditional_dropped": 1`, `"count": 1,
          "baseline": 0,
          "conditional_dropped": 2`, 1), 0, "conditional_dropped or graphql_edited above count"},
		{"graphql edited above total", strings.Replace(g, `"graphql_edited": 1,`, `"graphql_edited": 9,`, 1), 0, "graphql_edited 9 is more than total"},
		{"graphql edited does not add up", strings.Replace(g, `"graphql_edited": 1,`, `"graphql_edited": 0,`, 1), 0, "graphql_edited 0 but endpoints add up to 1"},
		{"mismatch count 0", strings.Replace(g, `"recorded": "search",
          "count": 1`, `"recorded": "search",
          "count": 0`, 1), 0, "resource mismatch 1: count 0 is not positive"},
		{"mismatch of one resource", strings.Replace(g, `"recorded": "search"`, `"recorded": "core"`, 1), 0, `recorded resource "core" is the route's`},
		{"mismatch empty recorded", strings.Replace(g, `"recorded": "search"`, `"recorded": ""`, 1), 0, "empty recorded resource"},
		{"mismatch unknown field", strings.Replace(g, `"recorded": "search"`, `"recorded": "search", "header": "x"`, 1), 0, `unknown field "header"`},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			max := tt.max
			if max == 0 {
				max = 1 << 20
			}
			_, err := ReadJSON(strings.NewReader(tt.in), max)
			if err == nil {
				t.Fatalf("ReadJSON accepted it")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func countJSON(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := countReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A free-only endpoint (every call a free 304) has count 0 and
// not_modified above it: valid, where not_modified above count was an
// error when 304s were in the count.
func TestReadJSONFreeOnlyEndpoint(t *testing.T) {
	t.Parallel()
	r := graphqlReport()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&b, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	e := got.Scenarios[0].Endpoints[2]
	if e.Count != 0 || e.NotModified != 1 {
		t.Errorf("free-only endpoint read back as %+v", e)
	}
}

// Every field of replay.Counts the issue added reaches the JSON through
// FromCounts and comes back from ReadJSON as it was.
func TestFromCountsRoundTrip(t *testing.T) {
	t.Parallel()
	const opPR = "graphql/query repository.pullRequest"
	tests := []struct {
		name  string
		c     replay.Counts
		check func(t *testing.T, s Scenario, json string)
	}{
		{
			name: "graphql points and estimate",
			c: replay.Counts{
				Total: 2, Resources: map[string]int{"graphql": 2}, SecondaryPoints: 2, GraphQLPoints: 13, GraphQLEstimated: 15,
				Endpoints: []replay.Endpoint{
					{Method: "POST", Route: "/graphql", Operation: "graphql/ViewerLogin", Resource: "graphql", Count: 1, GraphQLPoints: 1, GraphQLEstimated: 1},
					{Method: "POST", Route: "/graphql", Operation: opPR, Resource: "graphql", Count: 1, GraphQLPoints: 12, GraphQLEstimated: 14},
				},
			},
			check: func(t *testing.T, s Scenario, json string) {
				if s.GraphQLPoints != 13 || s.GraphQLPointsEstimated != 15 || s.Endpoints[1].GraphQLPoints != 12 || s.Endpoints[1].GraphQLPointsEstimated != 14 {
					t.Errorf("points: %+v", s)
				}
				for _, want := range []string{`"graphql_points": 13`, `"graphql_points_estimated": 15`, `"graphql_points": 12`, `"graphql_points_estimated": 14`} {
					if !strings.Contains(json, want) {
						t.Errorf("JSON has no %s", want)
					}
				}
				if strings.Contains(json, "baseline_graphql_points") {
					t.Errorf("a report with no baseline has baseline_graphql_points")
				}
			},
		},
		{
			name: "free 304s besides the count",
			c: replay.Counts{
				Total: 1, Resources: map[string]int{"core": 1}, SecondaryPoints: 1, NotModified: 3,
				Endpoints: []replay.Endpoint{
					{Method: "GET", Route: "/repos/{owner}/{repo}", Operation: "repos/get", Resource: "core", Count: 0, NotModified: 2},
					{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 1, NotModified: 1},
				},
			},
			check: func(t *testing.T, s Scenario, json string) {
				if s.NotModified != 3 || s.Endpoints[0].Count != 0 || s.Endpoints[0].NotModified != 2 {
					t.Errorf("free 304s: %+v", s)
				}
			},
		},
		{
			name: "conditional header dropped",
			c: replay.Counts{
				Total: 2, Resources: map[string]int{"core": 2}, SecondaryPoints: 2, ConditionalDropped: 1,
				Endpoints: []replay.Endpoint{
					{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 2, ConditionalDropped: 1},
				},
			},
			check: func(t *testing.T, s Scenario, json string) {
				if s.ConditionalDropped != 1 || s.Endpoints[0].ConditionalDropped != 1 {
					t.Errorf("conditional dropped: %+v", s)
				}
				if strings.Count(json, `"conditional_dropped": 1`) != 2 {
					t.Errorf("JSON has not both conditional_dropped:\n%s", json)
				}
			},
		},
		{
			name: "graphql edited",
			c: replay.Counts{
				Total: 1, Resources: map[string]int{"graphql": 1}, SecondaryPoints: 1, GraphQLEdited: 1, GraphQLPoints: 1, GraphQLEstimated: 1,
				Endpoints: []replay.Endpoint{
					{Method: "POST", Route: "/graphql", Operation: opPR, Resource: "graphql", Count: 1, GraphQLEdited: 1, GraphQLPoints: 1, GraphQLEstimated: 1},
				},
			},
			check: func(t *testing.T, s Scenario, json string) {
				if s.GraphQLEdited != 1 || s.Endpoints[0].GraphQLEdited != 1 {
					t.Errorf("graphql edited: %+v", s)
				}
			},
		},
		{
			name: "resource mismatches",
			c: replay.Counts{
				Total: 3, Resources: map[string]int{"core": 3}, SecondaryPoints: 3,
				ResourceMismatches: []replay.ResourceMismatch{{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Recorded: "search", Count: 3}},
				Endpoints: []replay.Endpoint{
					{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 3},
				},
			},
			check: func(t *testing.T, s Scenario, json string) {
				want := []ResourceMismatch{{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Recorded: "search", Count: 3}}
				if !reflect.DeepEqual(s.ResourceMismatches, want) {
					t.Errorf("mismatches = %+v, want %+v", s.ResourceMismatches, want)
				}
				if !strings.Contains(json, `"recorded": "search"`) {
					t.Errorf("JSON has no recorded resource:\n%s", json)
				}
			},
		},
		{
			name: "none of them: nothing new in the JSON",
			c: replay.Counts{
				Total: 1, Resources: map[string]int{"core": 1}, SecondaryPoints: 1,
				Endpoints: []replay.Endpoint{{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 1}},
			},
			check: func(t *testing.T, s Scenario, json string) {
				for _, field := range []string{"graphql_", "conditional_dropped", "resource_mismatches"} {
					if strings.Contains(json, field) {
						t.Errorf("JSON has %s:\n%s", field, json)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New("t")
			r.Scenarios = append(r.Scenarios, FromCounts("s.yaml", tt.c))
			r.ComputeVerdict(false)
			var b bytes.Buffer
			if err := r.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSON(bytes.NewReader(b.Bytes()), 1<<20)
			if err != nil {
				t.Fatalf("ReadJSON: %v\n%s", err, b.Bytes())
			}
			if !reflect.DeepEqual(got, r) {
				t.Errorf("round trip changed the report:\ngot  %+v\nwant %+v", got, r)
			}
			tt.check(t, got.Scenarios[0], b.String())
		})
	}
}

func TestReadJSONDuplicateScenario(t *testing.T) {
	t.Parallel()
	r := okReport()
	r.Scenarios = append(r.Scenarios, r.Scenarios[0])
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSON(&b, 1<<20); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("ReadJSON of a duplicate scenario: %v", err)
	}
}

func TestComputeVerdict(t *testing.T) {
	t.Parallel()
	sc := func(st Status) Scenario { return Scenario{Status: st} }
	tests := []struct {
		name     string
		statuses []Status
		allowNew bool
		want     Verdict
	}{
		{"none", nil, false, VerdictOK},
		{"ok and under", []Status{StatusOK, StatusUnder}, false, VerdictOK},
		{"over", []Status{StatusOK, StatusOver}, false, VerdictOver},
		{"new not allowed", []Status{StatusOK, StatusNew}, false, VerdictOver},
		{"new allowed", []Status{StatusOK, StatusNew}, true, VerdictOK},
		{"over with new allowed", []Status{StatusNew, StatusOver}, true, VerdictOver},
		{"error beats over", []Status{StatusOver, StatusError, StatusNew}, false, VerdictError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New("t")
			for _, st := range tt.statuses {
				r.Scenarios = append(r.Scenarios, sc(st))
			}
			if got := r.ComputeVerdict(tt.allowNew); got != tt.want || r.Verdict != tt.want {
				t.Errorf("ComputeVerdict(%v) = %q (Verdict %q), want %q", tt.allowNew, got, r.Verdict, tt.want)
			}
		})
	}
}

func TestExcesses(t *testing.T) {
	t.Parallel()
	s := Scenario{
		Total: 14, Baseline: ptr(13), Mutating: 5, BaselineMutating: ptr(4), Tolerance: 1,
		Resources:         map[string]int{"core": 12, "search": 2},
		BaselineResources: map[string]int{"core": 13},
	}
	want := []Excess{{What: "resource search", Baseline: 0, Allowed: 1, Now: 2}}
	if got := s.Excesses(); !reflect.DeepEqual(got, want) {
		t.Errorf("Excesses() = %+v, want %+v", got, want)
	}
	s.Tolerance = 0
	want = []Excess{
		{What: "total", Baseline: 13, Allowed: 13, Now: 14},
		{What: "mutating", Baseline: 4, Allowed: 4, Now: 5},
		{What: "resource search", Baseline: 0, Allowed: 0, Now: 2},
	}
	if got := s.Excesses(); !reflect.DeepEqual(got, want) {
		t.Errorf("Excesses() = %+v, want %+v", got, want)
	}
	// GraphQL points: judged against their own baseline and tolerance,
	// and not at all when the budget has no points baseline.
	g := Scenario{Total: 2, Baseline: ptr(2), GraphQLPoints: 12, BaselineGraphQLPoints: ptr(10), GraphQLPointsTolerance: 2}
	if got := g.Excesses(); got != nil {
		t.Errorf("Excesses() within the points tolerance = %+v", got)
	}
	g.GraphQLPoints = 13
	want = []Excess{{What: "graphql points", Baseline: 10, Allowed: 12, Now: 13}}
	if got := g.Excesses(); !reflect.DeepEqual(got, want) {
		t.Errorf("Excesses() = %+v, want %+v", got, want)
	}
	g.BaselineGraphQLPoints, g.GraphQLPointsTolerance = nil, 0
	if got := g.Excesses(); got != nil || !g.GraphQLPointsUnbudgeted() {
		t.Errorf("Excesses() with no points baseline = %+v (unbudgeted %v), want none", got, g.GraphQLPointsUnbudgeted())
	}
	if got := (&Scenario{Total: 3}).Excesses(); got != nil {
		t.Errorf("Excesses() with no baseline = %+v, want none", got)
	}
}

func TestTotals(t *testing.T) {
	t.Parallel()
	total, delta := mixedReport().Totals()
	if total != 6+5+4+5 || delta != 1+0-1 {
		t.Errorf("Totals() = %d, %d", total, delta)
	}
}

func TestFromCounts(t *testing.T) {
	t.Parallel()
	s := FromCounts("x.yaml", replay.Counts{})
	if s.Status != StatusOK || s.Resources == nil || s.Unmatched == nil || s.Endpoints == nil || s.Baseline != nil {
		t.Errorf("FromCounts of nothing = %+v", s)
	}
	s.Fail(errors.New("boom"))
	if s.Status != StatusError || s.Error != "boom" {
		t.Errorf("Fail: %+v", s)
	}
}
