package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/callbudget/callbudget/internal/testdeps"
)

// TestGhGraphQLEditedQuery: gh api graphql, on its default host through
// the interception face, sends a query edited since its recording (one
// more field): callbudget run matches it by its root selection, serves
// the recorded answer, counts it as the same operation with its points,
// and flags it, instead of failing on an unmatched call.
func TestGhGraphQLEditedQuery(t *testing.T) {
	testdeps.Gh(t)
	t.Parallel()
	name := filepath.Join(t.TempDir(), "gh-graphql")
	c := cassette.New(name)
	body := `{"data":{"repository":{"pullRequest":{"title":"Update","number":42}},"rateLimit":{"cost":1,"remaining":4999}}}`
	c.AddInteraction(&cassette.Interaction{
		Request: cassette.Request{Method: "POST", URL: irAPI + "/graphql", Host: "api.github.com",
			Body:    `{"query":"query { repository(owner: \"o\", name: \"r\") { pullRequest(number: 42) { title } } rateLimit { cost remaining } }"}`,
			Headers: http.Header{"Authorization": {"token [REDACTED]"}}},
		Response: cassette.Response{Code: 200, Status: "200 OK", Body: body, ContentLength: int64(len(body)),
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Ratelimit-Resource": {"graphql"}}},
	})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	edited := `query { repository(owner: "o", name: "r") { pullRequest(number: 42) { title number } } rateLimit { cost remaining } }`
	env := irEnv("GH_CONFIG_DIR="+t.TempDir(), "GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "NO_COLOR=1", "GH_PAGER=cat")
	r, s := irRun(t, env, name+".yaml", nil, "sh", "-c",
		fmt.Sprintf(`test "$(gh api graphql -f query='%s' --jq .data.repository.pullRequest.title)" = Update`, edited))
	if r.code != exitOK || s.Status != "ok" || len(s.Unmatched) != 0 {
		t.Fatalf("exit %d, status %s, unmatched %v\n%s", r.code, s.Status, s.Unmatched, r)
	}
	if len(s.Endpoints) != 1 {
		t.Fatalf("endpoints %+v", s.Endpoints)
	}
	e := s.Endpoints[0]
	if e.Operation != "graphql/query repository.pullRequest" || e.Count != 1 || e.GraphQLEdited != 1 || e.GraphQLPoints != 1 || s.GraphQLEdited != 1 || s.GraphQLPoints != 1 {
		t.Errorf("endpoint %+v, scenario points %d edited %d; want graphql/query repository.pullRequest, 1 call, 1 point, edited", e, s.GraphQLPoints, s.GraphQLEdited)
	}
}
