package replay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shurcooL/githubv4"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"

	"github.com/callbudget/callbudget/replay"
)

// prQuery is what a githubv4 user writes: the query is made from the
// struct, with no operation name.
type prQuery struct {
	Repository struct {
		PullRequest struct {
			Title string
		} `graphql:"pullRequest(number: $number)"`
	} `graphql:"repository(owner: $owner, name: $name)"`
}

// prQueryEdited is the same query after a change that asks for one more
// field.
type prQueryEdited struct {
	Repository struct {
		PullRequest struct {
			Title  string
			Merged bool
		} `graphql:"pullRequest(number: $number)"`
	} `graphql:"repository(owner: $owner, name: $name)"`
}

// TestGitHubV4EditedQueryMatched records githubv4 (shurcooL) sending an
// anonymous query, then replays the edited query a later change makes:
// still matched to its recording, served it, flagged as edited.
func TestGitHubV4EditedQueryMatched(t *testing.T) {
	t.Parallel()
	var sent string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sent = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Ratelimit-Resource", "graphql")
		io.WriteString(w, `{"data":{"repository":{"pullRequest":{"title":"Add a feature"}}}}`)
	}))
	defer upstream.Close()

	name := filepath.Join(t.TempDir(), "githubv4")
	rec, err := recorder.NewWithOptions(&recorder.Options{CassetteName: name, Mode: recorder.ModeRecordOnly, SkipRequestLatency: true})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"owner": githubv4.String("o"), "name": githubv4.String("r"), "number": githubv4.Int(1)}
	var q prQuery
	if err := githubv4.NewEnterpriseClient(upstream.URL+"/graphql", rec.GetDefaultClient()).Query(context.Background(), &q, vars); err != nil {
		t.Fatal(err)
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sent, `"query":"query($name:String!$number:Int!$owner:String!){repository(`) {
		t.Fatalf("githubv4 sent %s: not the anonymous query this test is about", sent)
	}
	c, err := replay.Load(name+".yaml", replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}

	tr := replay.NewTransport(c, replay.Options{})
	var edited prQueryEdited
	gv4 := githubv4.NewClient(&http.Client{Transport: tr})
	if err := gv4.Query(context.Background(), &edited, vars); err != nil {
		t.Fatalf("edited query: %v", err)
	}
	if edited.Repository.PullRequest.Title != "Add a feature" {
		t.Errorf("served %+v, want the recorded answer", edited)
	}
	got := tr.Counts()
	if len(got.Unmatched) != 0 || len(got.Endpoints) != 1 {
		t.Fatalf("unmatched %v, endpoints %+v", got.Unmatched, got.Endpoints)
	}
	e := got.Endpoints[0]
	if e.Operation != "graphql/query repository.pullRequest" || e.Count != 1 || e.GraphQLEdited != 1 || e.GraphQLPoints != 1 || e.Resource != "graphql" {
		t.Errorf("endpoint %+v, want graphql/query repository.pullRequest, 1 call, edited, 1 point", e)
	}
}
