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
