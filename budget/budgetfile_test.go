package budget

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/replay"
)

const (
	routePull     = "/repos/{owner}/{repo}/pulls/{pull_number}"
	routeContents = "/repos/{owner}/{repo}/contents/{path}"
	routeStatuses = "/repos/{owner}/{repo}/statuses/{sha}"
	routeSearch   = "/search/issues"
)

// counts builds replay counts from endpoints, the way replay sums them.
func counts(eps ...replay.Endpoint) replay.Counts {
	c := replay.Counts{Resources: map[string]int{}}
	for _, e := range eps {
		c.Total += e.Count
		c.Resources[e.Resource] += e.Count
		if e.Mutating {
			c.Mutating += e.Count
		}
		c.SecondaryPoints += e.Points()
		c.NotModified += e.NotModified
		c.Repeats += e.Repeats
	}
	c.Endpoints = eps
	return c
}

func get(route, op string, n int) replay.Endpoint {
	res := "core"
	if strings.HasPrefix(route, "/search/") {
		res = "search"
	}
	return replay.Endpoint{Method: "GET", Route: route, Operation: op, Resource: res, Known: true, Count: n}
}

func post(route, op string, n int) replay.Endpoint {
	return replay.Endpoint{Method: "POST", Route: route, Operation: op, Resource: "core", Known: true, Mutating: true, Count: n}
}

// gql is a GraphQL operation; "" is an anonymous one, as replay names it.
func gql(op string, n int) replay.Endpoint {
	name := "graphql"
	if op != "" {
		name += "/" + op
	}
	return replay.Endpoint{Method: "POST", Route: "/graphql", Operation: name, Resource: "graphql", Known: true, Count: n}
}

// prOpened is the example pipeline's counts: 6 calls.
func prOpened() replay.Counts {
	return counts(
		gql("ViewerLogin", 1),
		get(routeContents, "repos/get-content", 1),
		get(routePull, "pulls/get", 2),
		post(routeStatuses, "repos/create-commit-status", 2),
	)
}

func sampleFile(t *testing.T) *File {
	t.Helper()
	f := New()
	for name, c := range map[string]replay.Counts{
		"pr-opened": prOpened(),
		"pr-closed": counts(get(routePull, "pulls/get", 1)),
		"idle":      counts(),
		"search":    counts(get(routeSearch, "search/issues-and-pull-requests", 3), gql("", 1)),
	} {
		if err := f.Update(name, c); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestGoldenBudget(t *testing.T) {
	t.Parallel()
	got, err := sampleFile(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "budget.golden"), got)
}

// The same content gives the same bytes, whatever order it was built in
// and however Go iterates maps.
func TestMarshalDeterministic(t *testing.T) {
	t.Parallel()
	first, err := sampleFile(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		f := New()
		// Reverse insertion order, and endpoints given out of order.
		for _, name := range []string{"search", "pr-opened", "pr-closed", "idle"} {
			c := sampleFile(t).Scenarios[name]
			e := *c
			e.Endpoints = append([]EndpointCount(nil), c.Endpoints...)
			for l, r := 0, len(e.Endpoints)-1; l < r; l, r = l+1, r-1 {
				e.Endpoints[l], e.Endpoints[r] = e.Endpoints[r], e.Endpoints[l]
			}
			f.Scenarios[name] = &e
		}
		got, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("Marshal is not deterministic:\n%s\n%s", got, first)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	f := sampleFile(t)
	// Names and routes that YAML would misread if they were not quoted.
	hostile := counts(
		get("/repos/{owner}/{repo}/a: b # c", "", 1),
		get("/x\ny: 1", "", 1),
		get("/"+strings.Repeat("long/", 60), "", 1),
		get("/'quoted\" \\", "", 1),
		gql("Q with: colon", 1),
	)
	for _, name := range []string{"yes", "123", "- x", "a: b", "#c", "~", "null", "ünï cödé"} {
		if err := f.Update(name, hostile); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "callbudget.budget.yaml")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range got.Scenarios {
		if e.Line <= 0 {
			t.Errorf("scenario %q: Line %d", name, e.Line)
		}
		e.Line = 0
	}
	if !reflect.DeepEqual(got, f) {
		for name := range f.Scenarios {
			if !reflect.DeepEqual(got.Scenarios[name], f.Scenarios[name]) {
				t.Errorf("scenario %q: loaded %+v, saved %+v", name, got.Scenarios[name], f.Scenarios[name])
			}
		}
		if len(got.Scenarios) != len(f.Scenarios) {
			t.Errorf("loaded %v, saved %v", got.Names(), f.Names())
		}
	}
	again, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	if !bytes.Equal(again, saved) {
		t.Errorf("Load → Marshal changed the bytes")
	}
}

func TestLoadLines(t *testing.T) {
	t.Parallel()
	f, err := Parse("b.yaml", []byte("version: 1\nscenarios:\n  a:\n    total: 0\n    mutating: 0\n    resources: {}\n    endpoints: {}\n  b:\n    total: 0\n    mutating: 0\n    resources: {}\n    endpoints: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Scenarios["a"].Line != 3 || f.Scenarios["b"].Line != 8 {
		t.Errorf("lines: a %d, b %d; want 3, 8", f.Scenarios["a"].Line, f.Scenarios["b"].Line)
	}
}

const goodScenario = `  pr-opened:
    total: 3
    mutating: 1
    resources:
      core: 3
    endpoints:
      GET /repos/{owner}/{repo}/pulls/{pull_number}: 2 # pulls/get
      POST /repos/{owner}/{repo}/statuses/{sha}: 1
`

// graphqlScenario is a budget entry with GraphQL points, as Marshal
// writes it.
const graphqlScenario = `  pr-review:
    total: 3
    mutating: 0
    graphql_points: 13
    resources:
      core: 1
      graphql: 2
    endpoints:
      POST /graphql graphql/ViewerLogin: 1
      POST /graphql graphql/query repository.pullRequest: 1
      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
    graphql_points_by_endpoint:
      POST /graphql graphql/ViewerLogin: 1
      POST /graphql graphql/query repository.pullRequest: 12
`

// editPoints is graphqlScenario with old replaced by new in its
// graphql_points_by_endpoint.
func editPoints(old, new string) string {
	i := strings.Index(graphqlScenario, "    graphql_points_by_endpoint:")
	return graphqlScenario[:i] + strings.Replace(graphqlScenario[i:], old, new, 1)
}

// gqlCounts is a run with GraphQL points: a login (1 point), a pull
// request query named by its root selection (12 points recorded, 14
// estimated), a pulls/get and an endpoint answered only free 304s.
func gqlCounts(prPoints int) replay.Counts {
	login := gql("ViewerLogin", 1)
	login.GraphQLPoints, login.GraphQLEstimated = 1, 1
	pr := gql("query repository.pullRequest", 1)
	pr.GraphQLPoints, pr.GraphQLEstimated = prPoints, prPoints+2
	free := get("/repos/{owner}/{repo}/commits/{ref}", "repos/get-commit", 0)
	free.NotModified = 2
	c := counts(login, pr, get(routePull, "pulls/get", 1), free)
	c.GraphQLPoints, c.GraphQLEstimated = 1+prPoints, 1+prPoints+2
	return c
}

func TestGoldenBudgetGraphQL(t *testing.T) {
	t.Parallel()
	f := New()
	if err := f.Update("pr-review", gqlCounts(12)); err != nil {
		t.Fatal(err)
	}
	got, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "graphql.golden"), got)
	if !bytes.Contains(got, []byte(graphqlScenario)) {
		t.Errorf("the golden's scenario is not graphqlScenario, which the load tests edit:\n%s", got)
	}
	// It loads back as it was saved, and saves to the same bytes.
	back, err := Parse("graphql.golden", got)
	if err != nil {
		t.Fatal(err)
	}
	back.Scenarios["pr-review"].Line = 0
	if !reflect.DeepEqual(back, f) {
		t.Errorf("loaded %+v, saved %+v", back.Scenarios["pr-review"], f.Scenarios["pr-review"])
	}
	e := back.Scenarios["pr-review"]
	if e.GraphQLPoints != 13 || !e.GraphQLPointsBudgeted() {
		t.Errorf("GraphQLPoints %d, budgeted %v", e.GraphQLPoints, e.GraphQLPointsBudgeted())
	}
	want := []EndpointCount{
		{Method: "POST", Route: "/graphql", Operation: "graphql/ViewerLogin", Count: 1, GraphQLPoints: 1},
		{Method: "POST", Route: "/graphql", Operation: "graphql/query repository.pullRequest", Count: 1, GraphQLPoints: 12},
		{Method: "GET", Route: routePull, Operation: "pulls/get", Count: 1},
	}
	if !reflect.DeepEqual(e.Endpoints, want) {
		t.Errorf("endpoints %+v, want %+v (the free-only endpoint is not budgeted)", e.Endpoints, want)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, got) {
		t.Errorf("Load → Marshal changed the bytes:\n%s", again)
	}
}

// A budget written before callbudget counted GraphQL points has no
// graphql_points: it loads, its GraphQL scenarios have no points
// baseline, and the others a baseline of 0.
func TestLoadWithoutGraphQLPoints(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "budget.golden"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("budget.golden", data)
	if err != nil {
		t.Fatal(err)
	}
	for name, budgeted := range map[string]bool{"idle": true, "pr-closed": true, "pr-opened": false, "search": false} {
		e := f.Scenarios[name]
		if e.GraphQLPoints != 0 || e.GraphQLPointsBudgeted() != budgeted {
			t.Errorf("%s: GraphQLPoints %d, budgeted %v, want 0, %v", name, e.GraphQLPoints, e.GraphQLPointsBudgeted(), budgeted)
		}
	}
}

func TestParseEndpointKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, method, route, op string
	}{
		{"GET /repos/{owner}/{repo}", "GET", "/repos/{owner}/{repo}", ""},
		{"POST /graphql graphql/ViewerLogin", "POST", "/graphql", "graphql/ViewerLogin"},
		{"POST /graphql graphql/query repository.pullRequest", "POST", "/graphql", "graphql/query repository.pullRequest"},
		{"POST /graphql graphql", "POST", "/graphql", "graphql"},
		{"POST /graphql", "POST", "/graphql", ""},
		{"GET /repos/a b/c", "GET", "/repos/a b/c", ""},
	}
	for _, tt := range tests {
		method, route, op, err := parseEndpointKey(tt.key)
		if err != nil || method != tt.method || route != tt.route || op != tt.op {
			t.Errorf("parseEndpointKey(%q) = %q, %q, %q, %v; want %q, %q, %q", tt.key, method, route, op, err, tt.method, tt.route, tt.op)
		}
		if k := endpointKey(method, route, op); k != tt.key {
			t.Errorf("endpointKey(parseEndpointKey(%q)) = %q", tt.key, k)
		}
	}
}

// Marshal refuses GraphQL points that would not load back.
func TestMarshalBadGraphQLPoints(t *testing.T) {
	t.Parallel()
	for name, e := range map[string]*Entry{
		"do not add up": {Total: 1, GraphQLPoints: 3, Resources: map[string]int{"graphql": 1},
			Endpoints: []EndpointCount{{Method: "POST", Route: "/graphql", Operation: "graphql/Q", Count: 1, GraphQLPoints: 2}}},
		"on REST": {Total: 1, GraphQLPoints: 2, Resources: map[string]int{"core": 1},
			Endpoints: []EndpointCount{{Method: "GET", Route: routePull, Operation: "pulls/get", Count: 1, GraphQLPoints: 2}}},
	} {
		f := &File{Scenarios: map[string]*Entry{"s": e}}
		if _, err := f.Marshal(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Marshal: %v, want ErrInvalid", name, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	head := "version: 1\nscenarios:\n"
	tests := []struct {
		name string
		in   string
		want string // the whole message after "x.yaml"
	}{
		{"empty", "", ": empty budget file (want version and scenarios)"},
		{"comment only", "# nothing\n", ": empty budget file (want version and scenarios)"},
		{"not YAML", "version: 1\nscenarios: [\n", ":2: not valid YAML: did not find expected node content"},
		{"tab indent", "\tversion: 1\n", ":1: not valid YAML: found character that cannot start any token"},
		{"control character", "version: 1\nscenarios: {}\n# \x01\n", ":3: not valid YAML: control characters are not allowed"},
		{"not a mapping", "- 1\n", ":1: want a mapping with version and scenarios"},
		{"two documents", "version: 1\nscenarios: {}\n---\nversion: 1\n", ":3: more than one YAML document"},
		{"unknown top key", "version: 1\nscenarios: {}\nbudget: 3\n", `:3: unknown key "budget" (want version, scenarios)`},
		{"missing version", "scenarios: {}\n", ":1: missing version"},
		{"missing scenarios", "version: 1\n", ":1: missing scenarios"},
		{"version 2", "version: 2\nscenarios: {}\n", ":1: version 2 is not supported (want 1)"},
		{"version string", "version: \"1\"\nscenarios: {}\n", `:1: version must be a whole number, not "1"`},
		{"scenarios list", "version: 1\nscenarios:\n  - pr-opened\n", ":3: scenarios must be a mapping of scenario names"},
		{"duplicate top key", "version: 1\nversion: 1\nscenarios: {}\n", `:2: duplicate key "version" (first at line 1)`},
		{"duplicate scenario", head + goodScenario + goodScenario, `:11: duplicate key "pr-opened" (first at line 3)`},
		{"duplicate endpoint", head + strings.Replace(goodScenario, "      POST /repos/{owner}/{repo}/statuses/{sha}: 1\n",
			"      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1\n", 1),
			`:10: duplicate key "GET /repos/{owner}/{repo}/pulls/{pull_number}" (first at line 9)`},
		{"unknown scenario key", head + strings.Replace(goodScenario, "total: 3", "totals: 3", 1),
			`:4: unknown key "totals" in scenario "pr-opened" (want total, mutating, graphql_points, resources, endpoints, graphql_points_by_endpoint)`},
		{"missing endpoints", head + goodScenario[:strings.Index(goodScenario, "    endpoints:")],
			`:4: scenario "pr-opened" has no endpoints`},
		{"negative endpoint", head + strings.Replace(goodScenario, "{sha}: 1", "{sha}: -1", 1),
			`:10: endpoint "POST /repos/{owner}/{repo}/statuses/{sha}" -1 is negative`},
		{"negative total", head + strings.Replace(goodScenario, "total: 3", "total: -3", 1), ":4: total -3 is negative"},
		{"float count", head + strings.Replace(goodScenario, "core: 3", "core: 2.5", 1), `:7: resource "core" must be a whole number, not "2.5"`},
		{"huge count", head + strings.Replace(goodScenario, "core: 3", "core: 99999999999999999999", 1),
			`:7: resource "core" must be a whole number, not "99999999999999999999"`},
		{"endpoints do not add up", head + strings.Replace(goodScenario, "pull_number}: 2", "pull_number}: 3", 1),
			`:4: scenario "pr-opened": total 3, but its endpoints add up to 4`},
		{"resources do not add up", head + strings.Replace(goodScenario, "core: 3", "core: 2\n      search: 2", 1),
			`:4: scenario "pr-opened": total 3, but its resources add up to 4`},
		{"mutating above total", head + strings.Replace(goodScenario, "mutating: 1", "mutating: 4", 1),
			`:5: scenario "pr-opened": mutating 4 is more than total 3`},
		{"bad endpoint key", head + strings.Replace(goodScenario, "POST /repos", "post /repos", 1),
			`:10: endpoint "post /repos/{owner}/{repo}/statuses/{sha}" is not "METHOD /route"`},
		{"endpoint without route", head + strings.Replace(goodScenario, "POST /repos/{owner}/{repo}/statuses/{sha}", "POST", 1),
			`:10: endpoint "POST" is not "METHOD /route"`},
		{"anchor and alias", head + strings.Replace(goodScenario, "resources:", "resources: &r", 1) + "  again: *r\n",
			":6: anchors, aliases and merge keys are not allowed"},
		{"alias", head + goodScenario + "  again: *r\n", ":1: not valid YAML: unknown anchor 'r' referenced"},
		{"merge key", head + "  a:\n    <<: {total: 0}\n", ":4: anchors, aliases and merge keys are not allowed"},
		{"scenario not a mapping", head + "  pr-opened: 3\n", `:3: scenario "pr-opened" must be a mapping with total, mutating, resources and endpoints`},
		{"resources null", head + strings.Replace(goodScenario, "resources:\n      core: 3\n", "resources:\n", 1),
			`:6: resource must be a mapping (an empty one is {})`},
		{"empty scenario name", head + strings.Replace(goodScenario, "pr-opened:", `"":`, 1), `:3: scenario name "" has control characters or is empty`},
		{"graphql points do not add up", head + strings.Replace(graphqlScenario, "graphql_points: 13", "graphql_points: 14", 1),
			`:6: scenario "pr-review": graphql_points 14, but graphql_points_by_endpoint adds up to 13`},
		{"graphql points without the mapping", head + graphqlScenario[:strings.Index(graphqlScenario, "    graphql_points_by_endpoint:")],
			`:6: scenario "pr-review": graphql_points 13, but graphql_points_by_endpoint adds up to 0`},
		{"graphql mapping without the points", head + strings.Replace(graphqlScenario, "    graphql_points: 13\n", "", 1),
			`:14: scenario "pr-review": graphql_points 0, but graphql_points_by_endpoint adds up to 13`},
		{"graphql points on a REST endpoint", head + editPoints("POST /graphql graphql/ViewerLogin: 1", "GET /repos/{owner}/{repo}/contents/{path}: 1"),
			`:15: scenario "pr-review": graphql_points_by_endpoint: "GET /repos/{owner}/{repo}/contents/{path}" is not a GraphQL endpoint (POST /graphql graphql/NAME)`},
		{"graphql points on an endpoint not called", head + editPoints("graphql/ViewerLogin: 1", "graphql/Other: 1"),
			`:15: scenario "pr-review": graphql_points_by_endpoint: "POST /graphql graphql/Other" is not among its endpoints`},
		{"graphql points not a number", head + strings.Replace(graphqlScenario, "graphql_points: 13", "graphql_points: many", 1),
			`:6: graphql_points must be a whole number, not "many"`},
		{"negative graphql points of an endpoint", head + editPoints("graphql/ViewerLogin: 1", "graphql/ViewerLogin: -1"),
			`:15: graphql_points_by_endpoint "POST /graphql graphql/ViewerLogin" -1 is negative`},
		{"graphql points twice", head + editPoints("graphql/ViewerLogin: 1\n", "graphql/ViewerLogin: 1\n      POST /graphql graphql/ViewerLogin: 1\n"),
			`:16: duplicate key "POST /graphql graphql/ViewerLogin" (first at line 15)`},
		{"graphql mapping a list", head + graphqlScenario[:strings.Index(graphqlScenario, "    graphql_points_by_endpoint:")] + "    graphql_points_by_endpoint: [1]\n",
			`:14: graphql_points_by_endpoint must be a mapping (an empty one is {})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.in)
			}
			if got, want := err.Error(), "x.yaml"+tt.want; got != want {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
			var be *Error
			if !errors.As(err, &be) || be.File != "x.yaml" || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %#v is not an *Error wrapping ErrInvalid", err)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.yaml")
	_, err := Load(path)
	if !errors.Is(err, ErrNotExist) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalid) {
		t.Errorf("Load of a missing file: %v, want ErrNotExist", err)
	}
	var be *Error
	if !errors.As(err, &be) || be.File != path || be.Line != 0 {
		t.Errorf("Load of a missing file: %#v", err)
	}
	if want := path + ": open: no such file or directory"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestSaveKeepsModeAndFollowsLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := sampleFile(t)

	fresh := filepath.Join(dir, "fresh.yaml")
	if err := f.Save(fresh); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	kept := filepath.Join(dir, "kept.yaml")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(kept); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(kept); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after Save %v, want 0640", fi.Mode().Perm())
	}

	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink("kept.yaml", link); err != nil {
		t.Skip("no symlinks:", err)
	}
	f.Remove("idle")
	if err := f.Save(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Save replaced the symlink: %v", err)
	}
	got, err := Load(kept)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Scenarios["idle"]; ok {
		t.Errorf("Save through the link did not write its target")
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestSaveCannotWrite: a Save that cannot write fails naming the file,
// leaves what was there as it was and no temporary file behind. The
// failures are ones root meets too (a read-only folder does not stop
// root): the folder cannot take the temporary file Save writes first (its
// name, the budget's with a prefix and a suffix, is longer than a file
// name may be, while the budget's own name is not), and a folder on the
// path that is a regular file.
func TestSaveCannotWrite(t *testing.T) {
	t.Parallel()
	t.Run("no temporary file beside it", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// 255 bytes is the longest file name on Linux and macOS file
		// systems; the temporary file's is 16 or more bytes longer.
		path := filepath.Join(dir, strings.Repeat("b", 255-len(".budget.yaml"))+".budget.yaml")
		if err := os.WriteFile(path, []byte("old budget\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := sampleFile(t).Save(path)
		if err == nil {
			t.Fatal("Save succeeded with no room for its temporary file's name")
		}
		if !strings.Contains(err.Error(), "save budget "+path) || !errors.Is(err, syscall.ENAMETOOLONG) {
			t.Errorf("error %q does not name the file, or is not the temporary file's name being too long", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old budget\n" {
			t.Errorf("old budget changed: %q", b)
		}
		assertNoTemp(t, dir)
	})
	t.Run("parent is a regular file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		notDir := filepath.Join(dir, "budgets")
		if err := os.WriteFile(notDir, []byte("old file\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(notDir, "callbudget.budget.yaml")
		err := sampleFile(t).Save(path)
		if err == nil {
			t.Fatal("Save under a regular file succeeded")
		}
		if !strings.Contains(err.Error(), "save budget "+path) || !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("error %q does not name the file, or is not ENOTDIR", err)
		}
		if b, _ := os.ReadFile(notDir); string(b) != "old file\n" {
			t.Errorf("the file in the folder's place changed: %q", b)
		}
		assertNoTemp(t, dir)
	})
}

func TestUpdateRemoveStale(t *testing.T) {
	t.Parallel()
	f := sampleFile(t)
	if got, want := f.Stale([]string{"pr-opened", "pr-closed", "new-one"}), []string{"idle", "search"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Stale = %v, want %v", got, want)
	}
	f.Remove("idle")
	f.Remove("not-there")
	if got, want := f.Names(), []string{"pr-closed", "pr-opened", "search"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names after Remove = %v, want %v", got, want)
	}
	if got := f.Stale([]string{"pr-closed", "pr-opened", "search"}); got != nil {
		t.Errorf("Stale = %v, want none", got)
	}
	for _, bad := range []string{"", "a\nb", "a\u202eb", "\x1b[31m"} {
		if err := f.Update(bad, prOpened()); !errors.Is(err, ErrInvalid) {
			t.Errorf("Update(%q): %v, want ErrInvalid", bad, err)
		}
	}
	var zero File
	if err := zero.Update("x", prOpened()); err != nil || zero.Scenarios["x"] == nil {
		t.Errorf("Update on a zero File: %v", err)
	}
}

// Update merges one endpoint answered under two rate-limit resources.
func TestUpdateMergesEndpoint(t *testing.T) {
	t.Parallel()
	a := get(routePull, "pulls/get", 2)
	b := a
	b.Resource, b.Count = "search", 1 // a recorded X-RateLimit-Resource that disagrees
	f := New()
	if err := f.Update("s", counts(a, b)); err != nil {
		t.Fatal(err)
	}
	want := []EndpointCount{{Method: "GET", Route: routePull, Operation: "pulls/get", Count: 3}}
	if got := f.Scenarios["s"].Endpoints; !reflect.DeepEqual(got, want) {
		t.Errorf("Endpoints = %+v, want %+v", got, want)
	}
	if _, err := f.Marshal(); err != nil {
		t.Fatal(err)
	}
}
