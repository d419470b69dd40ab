package budget

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
)

// The replay engine's counts go through the budget and the report as the
// contract says: a cassette with a costed GraphQL query, two recorded free
// 304s and a recorded X-RateLimit-Resource that is not the route's; then a
// run that edits the query, keeps one If-None-Match and drops the other.
// The budget taken from the recording saves and loads back, the
// comparison is a report ReadJSON accepts, and it says what happened.
func TestCompareReplayed(t *testing.T) {
	t.Parallel()
	const api = "https://api.github.com"
	name := filepath.Join(t.TempDir(), "pr-review")
	c := cassette.New(name)
	add := func(method, path, body string, reqH http.Header, code int, respBody string, respH http.Header) {
		reqH.Set("Authorization", "token [REDACTED]")
		respH.Set("Content-Type", "application/json")
		c.AddInteraction(&cassette.Interaction{
			Request:  cassette.Request{Method: method, URL: api + path, Host: "api.github.com", Body: body, Headers: reqH},
			Response: cassette.Response{Code: code, Status: fmt.Sprint(code), Body: respBody, ContentLength: int64(len(respBody)), Headers: respH},
		})
	}
	const query = `query { repository(owner: \"o\", name: \"r\") { pullRequest(number: 42) { title } } rateLimit { cost remaining } }`
	add("POST", "/graphql", `{"query":"`+query+`"}`, http.Header{}, 200,
		`{"data":{"repository":{"pullRequest":{"title":"Update"}},"rateLimit":{"cost":3,"remaining":4990}}}`, http.Header{"X-Ratelimit-Resource": {"graphql"}})
	add("GET", "/repos/o/r/pulls/42", "", http.Header{"If-None-Match": {`"abc"`}}, 304, "", http.Header{"Etag": {`"abc"`}})
	add("GET", "/repos/o/r/contents/README.md", "", http.Header{"If-None-Match": {`"def"`}}, 304, "", http.Header{"Etag": {`"def"`}})
	add("GET", "/repos/o/r/issues", "", http.Header{}, 200, "[]", http.Header{"X-Ratelimit-Resource": {"search"}})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	cas, err := replay.Load(name+".yaml", replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}

	f := New()
	if err := f.Update("pr-review", replay.CountRecorded(cas, replay.Options{})); err != nil {
		t.Fatal(err)
	}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"graphql_points: 3\n",
		"POST /graphql graphql/query repository.pullRequest: 1\n",
		"graphql_points_by_endpoint:\n      POST /graphql graphql/query repository.pullRequest: 3\n",
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("budget has no %q:\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("pulls/get")) || bytes.Contains(data, []byte("repos/get-content")) {
		t.Errorf("budget holds an endpoint that got only free 304s:\n%s", data)
	}
	loaded, err := Parse("b.yaml", data)
	if err != nil {
		t.Fatal(err)
	}

	tr := replay.NewTransport(cas, replay.Options{})
	do := func(method, path, body string, h http.Header) {
		req, err := http.NewRequest(method, api+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = h
		req.Header.Set("Authorization", "token x")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	do("POST", "/graphql", `{"query":"`+strings.Replace(query, "title", "title number", 1)+`"}`, http.Header{})
	do("GET", "/repos/o/r/pulls/42", "", http.Header{"If-None-Match": {`"abc"`}})
	do("GET", "/repos/o/r/contents/README.md", "", http.Header{})
	do("GET", "/repos/o/r/issues", "", http.Header{})

	s := Compare("pr-review", loaded.Scenarios["pr-review"], tr.Counts(), Tolerance{})
	r := report.New("t")
	r.Scenarios = append(r.Scenarios, s)
	r.ComputeVerdict(false)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := report.ReadJSON(bytes.NewReader(b.Bytes()), 1<<20)
	if err != nil {
		t.Fatalf("ReadJSON of a replayed comparison: %v\n%s", err, b.Bytes())
	}
	got := back.Scenarios[0]
	if got.Status != report.StatusOver || got.Total != 3 || got.NotModified != 1 || got.ConditionalDropped != 1 || got.GraphQLEdited != 1 ||
		got.GraphQLPoints == 0 || got.BaselineGraphQLPoints == nil || *got.BaselineGraphQLPoints != 3 || len(got.ResourceMismatches) != 1 {
		t.Errorf("replayed comparison:\n%s", b.Bytes())
	}
	var text bytes.Buffer
	if err := back.WriteText(&text, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"conditional header dropped: GET /repos/{owner}/{repo}/contents/{path}: 1 call made without",
		"GraphQL query edited: POST /graphql graphql/query repository.pullRequest: 1 call's query text differs from its recording: served the recorded answer",
		"resource mismatch: GET /repos/{owner}/{repo}/issues: recorded X-RateLimit-Resource: search, route says core",
		"304s 1 (free)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report has no %q:\n%s", want, text.String())
		}
	}
}
