package gqlcost_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

// publishedExample is GitHub's worked example of a rate-limit score:
// 1 + 100 + 100×50 = 5,101 requests, 51 points.
const publishedExample = `query {
  viewer {
    login
    repositories(first: 100) {
      edges {
        node {
          id

          issues(first: 50) {
            edges {
              node {
                id

                labels(first: 60) {
                  edges {
                    node {
                      id
                      name
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}`

type analyzeCase struct {
	name      string
	query     string
	opName    string
	vars      map[string]any
	kind      string
	want      string // Info.Name
	anonymous bool
	requests  int64
	points    int
	nodes     int64
	secondary int
	notes     []string // nil: none
}

var analyzeCases = []analyzeCase{
	{
		name: "published example", query: publishedExample,
		kind: "query", want: "viewer.repositories.edges.node.issues.edges.node.labels.edges.node", anonymous: true,
		requests: 5101, points: 51, nodes: 100 + 100*50 + 100*50*60, secondary: 1,
	},
	{
		name: "no connections", query: `query { viewer { login name } }`,
		kind: "query", want: "viewer", anonymous: true, requests: 0, points: 1, secondary: 1,
	},
	{
		name: "shorthand is a query", query: `{ rateLimit { cost remaining } }`,
		kind: "query", want: "rateLimit", anonymous: true, points: 1, secondary: 1,
	},
	{
		name:  "last",
		query: `{ repository(owner: "o", name: "r") { issues(last: 20) { nodes { comments(last: 10) { totalCount } } } } }`,
		kind:  "query", want: "repository.issues.nodes.comments", anonymous: true,
		requests: 1 + 20, points: 1, nodes: 20 + 200, secondary: 1,
	},
	{
		name: "named and inline fragments",
		query: `query { viewer { ...repos } }
fragment repos on User {
  repositories(first: 100) { nodes { ... on Repository { ...issues } } }
}
fragment issues on Repository { issues(first: 100) { nodes { labels(first: 10) { totalCount } } } }`,
		kind: "query", want: "viewer.repositories.nodes.issues.nodes.labels", anonymous: true,
		requests: 1 + 100 + 100*100, points: 101, nodes: 100 + 100*100 + 100*100*10, secondary: 1,
	},
	{
		name: "a connection asked for twice through fragments counts once",
		query: `{ viewer { ...a ...a repositories(first: 10) { totalCount } } }
fragment a on User { repositories(first: 10) { totalCount } }`,
		kind: "query", want: "viewer.repositories", anonymous: true, requests: 1, points: 1, nodes: 10, secondary: 1,
	},
	{
		name:  "variables for first",
		query: `query($n: Int!, $m: Int!) { viewer { repositories(first: $n) { nodes { issues(first: $m) { nodes { labels(first: 100) { totalCount } } } } } } }`,
		vars:  map[string]any{"n": float64(50), "m": json.Number("40")},
		kind:  "query", want: "viewer.repositories.nodes.issues.nodes.labels", anonymous: true,
		requests: 1 + 50 + 50*40, points: 21, nodes: 50 + 50*40 + 50*40*100, secondary: 1,
	},
	{
		name:  "a variable's default",
		query: `query Repos($n: Int = 30) { viewer { repositories(first: $n) { nodes { issues(first: 10) { totalCount } } } } }`,
		kind:  "query", want: "Repos", requests: 1 + 30, points: 1, nodes: 30 + 300, secondary: 1,
	},
	{
		name:  "a variable not given: 100 assumed, noted",
		query: `query($n: Int!) { viewer { repositories(first: $n) { nodes { issues(first: 10) { totalCount } } } } }`,
		kind:  "query", want: "viewer.repositories.nodes.issues", anonymous: true,
		requests: 1 + 100, points: 1, nodes: 100 + 1000, secondary: 1,
		notes: []string{"viewer.repositories: first from $n: not given, 100 assumed"},
	},
	{
		name:  "a variable not a number: 100 assumed, noted",
		query: `query($n: Int) { viewer { repositories(first: $n) { totalCount } } }`,
		vars:  map[string]any{"n": "ten"},
		kind:  "query", want: "viewer.repositories", anonymous: true, requests: 1, points: 1, nodes: 100, secondary: 1,
		notes: []string{`viewer.repositories: first from $n: "ten" is not a whole number, 100 assumed`},
	},
	{
		name:  "first over 100 is counted as 100, noted",
		query: `{ viewer { repositories(first: 500) { nodes { issues(first: 200) { nodes { labels(first: 1) { totalCount } } } } } } }`,
		kind:  "query", want: "viewer.repositories.nodes.issues.nodes.labels", anonymous: true,
		requests: 1 + 100 + 100*100, points: 101, nodes: 100 + 100*100 + 100*100*1, secondary: 1,
		notes: []string{
			"viewer.repositories: first: 500 is over GitHub's maximum (GitHub refuses it), 100 counted",
			"viewer.repositories.nodes.issues: first: 200 is over GitHub's maximum (GitHub refuses it), 100 counted",
		},
	},
	{
		name:  "literals out of range or not whole numbers",
		query: `{ a(first: 99999999999999999999999) { nodes { b(first: 2.0) { nodes { c(last: -1) { nodes { d(first: "x") { id } } } } } } } }`,
		kind:  "query", want: "a.nodes.b.nodes.c.nodes.d", anonymous: true,
		requests: 1 + 100 + 200 + 0, points: 3, nodes: 100 + 200 + 0 + 0, secondary: 1,
		notes: []string{
			"a: first: 99999999999999999999999 is over GitHub's maximum (GitHub refuses it), 100 counted",
			"a.nodes.b.nodes.c: last: -1 is negative (GitHub refuses it), 0 counted",
			`a.nodes.b.nodes.c.nodes.d: first: "x" is not a whole number, 100 assumed`,
		},
	},
	{
		name:  "first and last both given: the larger",
		query: `{ viewer { repositories(first: 10, last: 20) { nodes { issues(first: 1) { totalCount } } } } }`,
		kind:  "query", want: "viewer.repositories.nodes.issues", anonymous: true,
		requests: 1 + 20, points: 1, nodes: 20 + 20, secondary: 1,
		notes: []string{"viewer.repositories: first and last both given: the larger counted"},
	},
	{
		name:  "aliases of one connection count separately, name once",
		query: `{ viewer { open: repositories(first: 10) { totalCount } closed: repositories(first: 20) { totalCount } } }`,
		kind:  "query", want: "viewer.repositories", anonymous: true, requests: 2, points: 1, nodes: 30, secondary: 1,
	},
	{
		name:  "aliased root fields are named by their field",
		query: `{ a: repository(owner: "o", name: "a") { id } b: repository(owner: "o", name: "b") { id } }`,
		kind:  "query", want: "repository", anonymous: true, points: 1, secondary: 1,
	},
	{
		name:  "several root fields",
		query: `{ viewer { login } repository(owner: "o", name: "r") { id } __typename }`,
		kind:  "query", want: "repository+viewer", anonymous: true, points: 1, secondary: 1,
	},
	{
		name:  "rateLimit beside other root fields does not name",
		query: `{ viewer { login } rateLimit { cost remaining } }`,
		kind:  "query", want: "viewer", anonymous: true, points: 1, secondary: 1,
	},
	{
		name:  "several fields below the root",
		query: `{ repository(owner: "o", name: "r") { name issues(first: 5) { totalCount } owner { login } } }`,
		kind:  "query", want: "repository", anonymous: true, requests: 1, points: 1, nodes: 5, secondary: 1,
	},
	{
		name:  "a root of leaves",
		query: `{ __typename }`,
		kind:  "query", want: "__typename", anonymous: true, points: 1, secondary: 1,
	},
	{
		name:  "mutation",
		query: `mutation { addComment(input: {subjectId: "I_1", body: "hi"}) { commentEdge { node { id } } } }`,
		kind:  "mutation", want: "addComment.commentEdge.node", anonymous: true, points: 1, secondary: 5,
	},
	{
		name:  "named mutation with a connection in its payload",
		query: `mutation Label($id: ID!) { addLabelsToLabelable(input: {labelableId: $id, labelIds: []}) { labelable { labels(first: 100) { nodes { name } } } } }`,
		kind:  "mutation", want: "Label", requests: 1, points: 1, nodes: 100, secondary: 5,
	},
	{
		name:  "subscription",
		query: `subscription S { x { y } }`,
		kind:  "subscription", want: "S", points: 1, secondary: 1,
	},
	{
		name: "half a point rounds up",
		query: `{ a: search(type: REPOSITORY, query: "x", first: 48) { nodes { ... on Repository { issues(first: 1) { totalCount } } } }
  b: search(type: REPOSITORY, query: "y", first: 100) { nodes { ... on Repository { issues(first: 1) { totalCount } } } } }`,
		kind: "query", want: "search.nodes.issues", anonymous: true,
		requests: 1 + 48 + 1 + 100, points: 2, nodes: 48 + 48 + 100 + 100, secondary: 1,
	},
	{
		name:  "just under half a point rounds down",
		query: `{ search(type: REPOSITORY, query: "x", first: 48) { nodes { ... on Repository { a: issues(first: 1) { totalCount } b: issues(first: 1) { totalCount } } } } viewer { repositories(first: 51) { totalCount } } }`,
		kind:  "query", want: "search+viewer", anonymous: true,
		requests: 1 + 48 + 48 + 1, points: 1, nodes: 48 + 48 + 48 + 51, secondary: 1,
	},
	{
		name:  "@skip and @include with known conditions",
		query: `query($s: Boolean = true) { viewer { login repositories(first: 100) @skip(if: $s) { nodes { issues(first: 100) { totalCount } } } followers(first: 10) @include(if: false) { totalCount } following(first: 10) @include(if: true) { totalCount } } }`,
		kind:  "query", want: "viewer.following", anonymous: true, requests: 1, points: 1, nodes: 10, secondary: 1,
	},
	{
		name:   "operationName picks one of several",
		query:  `query A { viewer { login } } query B($n: Int!) { viewer { repositories(first: $n) { totalCount } } }`,
		opName: "B", vars: map[string]any{"n": 7},
		kind: "query", want: "B", requests: 1, points: 1, nodes: 7, secondary: 1,
	},
}

func TestAnalyze(t *testing.T) {
	t.Parallel()
	for _, tc := range analyzeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := gqlcost.Analyze(tc.query, tc.opName, tc.vars)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			want := gqlcost.Info{
				Kind: tc.kind, Name: tc.want, Anonymous: tc.anonymous,
				Requests: tc.requests, Points: tc.points, Nodes: tc.nodes, Secondary: tc.secondary,
				Estimated: len(tc.notes) > 0, Notes: tc.notes,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Analyze =\n  %+v\nwant\n  %+v", got, want)
			}
		})
	}
}

// An anonymous query keeps its name when its leaf fields change, so an
// edited query still finds its recording.
func TestAnalyzeNameSurvivesLeafEdits(t *testing.T) {
	t.Parallel()
	versions := []string{
		`query { repository(owner: "o", name: "r") { pullRequest(number: 1) { title } } }`,
		`query { repository(owner: "o", name: "r") { pullRequest(number: 1) { title body number } } }`,
		`query($n: Int!) { repository(owner: "o", name: "r") { id pullRequest(number: $n) { t: title __typename } } }`,
		`{ repo: repository(owner: "o", name: "r") { ...pr } } fragment pr on Repository { pullRequest(number: 1) { url } }`,
		`{ repository(owner: "o", name: "r") { pullRequest(number: 1) { title } } rateLimit { cost } }`,
	}
	for i, q := range versions {
		got, err := gqlcost.Analyze(q, "", nil)
		if err != nil {
			t.Fatalf("version %d: %v", i, err)
		}
		if got.Name != "repository.pullRequest" || !got.Anonymous {
			t.Errorf("version %d named %q (anonymous %v), want repository.pullRequest", i, got.Name, got.Anonymous)
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	t.Parallel()
	doubling := func(levels int) string {
		var b strings.Builder
		b.WriteString("{ viewer { ...f0 } }\n")
		for i := range levels {
			fmt.Fprintf(&b, "fragment f%d on User { ...f%d ...f%d }\n", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment f%d on User { login }\n", levels)
		return b.String()
	}
	tests := []struct {
		name   string
		query  string
		opName string
		kind   error
		msg    string // the whole Error()
	}{
		{name: "unclosed selection", query: "query {\n  viewer {\n    login\n  }\n", kind: gqlcost.ErrSyntax, msg: "5:1: Expected Name, found <EOF>"},
		{name: "bad token", query: "{ viewer { login } }\n}", kind: gqlcost.ErrSyntax, msg: "2:1: Unexpected }"},
		{name: "argument without value", query: "query {\n  repository(owner:) { id }\n}", kind: gqlcost.ErrSyntax, msg: "2:20: Unexpected )"},
		{name: "not graphql", query: `{"query": "{ viewer { login } }"}`, kind: gqlcost.ErrSyntax, msg: `1:3: Expected Name, found String`},
		{name: "empty", query: "", kind: gqlcost.ErrOperation, msg: "graphql operation not chosen: the document has no operation"},
		{name: "fragments only", query: "fragment f on User { login }", kind: gqlcost.ErrOperation, msg: "graphql operation not chosen: the document has no operation"},
		{
			name: "several operations, no operationName", query: "query A { viewer { login } } { viewer { id } }",
			kind: gqlcost.ErrOperation, msg: "graphql operation not chosen: the document has 2 operations (A, an anonymous query) and no operationName says which",
		},
		{
			name: "operationName not in the document", query: "query A { viewer { login } } query B { viewer { id } }", opName: "C",
			kind: gqlcost.ErrOperation, msg: `graphql operation not chosen: no operation named "C" (the document has A, B)`,
		},
		{
			name: "operationName for an anonymous operation", query: "{ viewer { login } }", opName: "A",
			kind: gqlcost.ErrOperation, msg: `graphql operation not chosen: no operation named "A" (the document has an anonymous query)`,
		},
		{
			name: "two operations of one name", query: "query A { viewer { login } }\nquery A { viewer { id } }", opName: "A",
			kind: gqlcost.ErrOperation, msg: `2:1: a second operation named "A" (the first is at 1:1)`,
		},
		{name: "undefined fragment", query: "{\n  viewer { ...missing }\n}", kind: gqlcost.ErrFragment, msg: `2:15: fragment "missing" is not defined`},
		{
			name: "fragment defined twice", query: "{ viewer { ...f } }\nfragment f on User { id }\nfragment f on User { login }",
			kind: gqlcost.ErrFragment, msg: `3:1: fragment "f" is defined twice (first at 2:1)`,
		},
		{
			name: "recursive fragments", query: "{ viewer { ...a } }\nfragment a on User { followers(first: 1) { nodes { ...b } } }\nfragment b on User { ...a }",
			kind: gqlcost.ErrFragment, msg: `3:25: fragment "a" spreads itself (through "b")`,
		},
		{
			name: "fragment spreading itself directly", query: "{ viewer { ...a } }\nfragment a on User { ...a }",
			kind: gqlcost.ErrFragment, msg: `2:25: fragment "a" spreads itself (through "a")`,
		},
		{name: "exponential fragments", query: doubling(20), kind: gqlcost.ErrTooLarge},
		{name: "too many tokens", query: "{" + strings.Repeat(" a", gqlcost.MaxTokens) + " }", kind: gqlcost.ErrTooLarge, msg: "graphql document too large: more than 100000 tokens"},
		{name: "nesting too deep", query: strings.Repeat("{ a ", 2000) + strings.Repeat("}", 2000), kind: gqlcost.ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := gqlcost.Analyze(tc.query, tc.opName, nil)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Analyze error = %v, want %v", err, tc.kind)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("Analyze error =\n  %s\nwant\n  %s", err, tc.msg)
			}
		})
	}
}

// Errors about a place in the text carry it as numbers, for a caller to
// point at the cassette line.
func TestAnalyzeErrorPosition(t *testing.T) {
	t.Parallel()
	_, err := gqlcost.Analyze("query {\n  viewer {\n    login(\n  }\n}", "", nil)
	var pe *gqlcost.PosError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *PosError", err, err)
	}
	if pe.Line != 4 || pe.Column != 3 {
		t.Errorf("position %d:%d, want 4:3 (%v)", pe.Line, pe.Column, err)
	}
}

// A document of many fragments that each spread the next stays within
// MaxExpansion when they do not fan out.
func TestAnalyzeLongFragmentChain(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("{ viewer { ...f0 } }\n")
	const n = 500
	for i := range n {
		fmt.Fprintf(&b, "fragment f%d on User { login%d ...f%d }\n", i, i, i+1)
	}
	fmt.Fprintf(&b, "fragment f%d on User { repositories(first: 3) { totalCount } }\n", n)
	got, err := gqlcost.Analyze(b.String(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "viewer.repositories" || got.Requests != 1 || got.Nodes != 3 {
		t.Errorf("got %+v", got)
	}
}

// Products of first down a deep query saturate instead of overflowing.
func TestAnalyzeDeepConnectionsSaturate(t *testing.T) {
	t.Parallel()
	const depth = 200
	q := strings.Repeat("{ c(first: 100) ", depth) + "{ id }" + strings.Repeat(" }", depth)
	q = "{ x " + q + " }"
	got, err := gqlcost.Analyze(q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Requests <= 0 || got.Nodes <= 0 || got.Points <= 0 {
		t.Fatalf("overflowed: %+v", got)
	}
	if got.Nodes <= gqlcost.MaxNodes || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "GitHub refuses this call") {
		t.Errorf("want the node limit noted, got %+v", got)
	}
}
