package gqlcost_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

// What real clients send, as the request body's query and variables.
// githubv4 (shurcooL) builds its text from a Go struct: no spaces, fields
// joined with ",", variables sorted and declared without separators,
// arguments copied from struct tags. gh builds its texts by hand; those in
// testdata/clients were captured from gh 2.23 with GH_DEBUG=api against a
// host that refused the connection (see testdata/clients/README).
func TestAnalyzeRealClients(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		query     string // or file, under testdata/clients
		file      string
		variables string // JSON, as the client sent it
		want      gqlcost.Info
	}{
		{
			name:      "githubv4 struct with variables",
			query:     `query($name:String!$owner:String!){repository(owner:$owner,name:$name){pullRequest(number:1){title}}}`,
			variables: `{"name":"r","owner":"o"}`,
			want:      gqlcost.Info{Kind: "query", Name: "repository.pullRequest", Anonymous: true, Points: 1, Secondary: 1},
		},
		{
			name:      "githubv4 struct, a field added",
			query:     `query($name:String!$owner:String!){repository(owner:$owner,name:$name){pullRequest(number:1){title,body,number,url}}}`,
			variables: `{"name":"r","owner":"o"}`,
			want:      gqlcost.Info{Kind: "query", Name: "repository.pullRequest", Anonymous: true, Points: 1, Secondary: 1},
		},
		{
			name:  "githubv4 struct without variables",
			query: `{repository(owner:"o"name:"r"){databaseId,url,issue(number:1){comments(first:1after:"Y3Vyc29yOjE="){edges{node{body,author{login},editor{login}},cursor}}}}}`,
			want: gqlcost.Info{Kind: "query", Name: "repository.issue.comments.edges.node", Anonymous: true,
				Requests: 1, Points: 1, Nodes: 1, Secondary: 1},
		},
		{
			name:      "githubv4 paging query, page size from a variable",
			query:     `query($cursor:String$first:Int!$name:String!$owner:String!){repository(owner:$owner,name:$name){pullRequests(first:$first,after:$cursor,states:OPEN){nodes{number,title,commits(last:1){nodes{commit{oid,statusCheckRollup{state}}}},reviews(first:100){nodes{state}}},pageInfo{endCursor,hasNextPage}}}}`,
			variables: `{"cursor":null,"first":100,"name":"r","owner":"o"}`,
			want: gqlcost.Info{Kind: "query", Name: "repository.pullRequests", Anonymous: true,
				Requests: 1 + 100 + 100, Points: 2, Nodes: 100 + 100 + 100*100, Secondary: 1},
		},
		{
			name:      "githubv4 mutation",
			query:     `mutation($input:AddReactionInput!){addReaction(input:$input){subject{reactionGroups{users{totalCount}}}}}`,
			variables: `{"input":{"subjectId":"I_1","content":"THUMBS_UP"}}`,
			want:      gqlcost.Info{Kind: "mutation", Name: "addReaction.subject.reactionGroups.users", Anonymous: true, Points: 1, Secondary: 5},
		},
		{
			name:      "gh pr view",
			file:      "gh-2.23-pr-view.graphql",
			variables: `{"owner":"o","pr_number":1,"repo":"r"}`,
			// reviewRequests, reviews, assignees, labels, projectCards,
			// comments and commits(last: 1): one each; contexts(first:
			// 100) under commits(last: 1): one.
			want: gqlcost.Info{Kind: "query", Name: "PullRequestByNumber",
				Requests: 8, Points: 1, Nodes: 6*100 + 1 + 100, Secondary: 1},
		},
		{
			name:      "gh pr list",
			file:      "gh-2.23-pr-list.graphql",
			variables: `{"limit":30,"owner":"o","repo":"r","state":["OPEN"]}`,
			want: gqlcost.Info{Kind: "query", Name: "PullRequestList",
				Requests: 1, Points: 1, Nodes: 30, Secondary: 1},
		},
		{
			name:      "gh api graphql --paginate",
			query:     `query($endCursor: String) { viewer { repositories(first: 100, after: $endCursor) { nodes { nameWithOwner } pageInfo { hasNextPage endCursor } } } }`,
			variables: `{"endCursor":"Y3Vyc29yOnYyOpHOAAAAAQ=="}`,
			want: gqlcost.Info{Kind: "query", Name: "viewer.repositories", Anonymous: true,
				Requests: 1, Points: 1, Nodes: 100, Secondary: 1},
		},
		{
			name:      "gh api graphql -F first=50, edited to ask more",
			query:     `query($first: Int!) { viewer { login repositories(first: $first) { nodes { nameWithOwner stargazerCount issues(first: 100) { totalCount } } } } }`,
			variables: `{"first":50}`,
			want: gqlcost.Info{Kind: "query", Name: "viewer.repositories.nodes.issues", Anonymous: true,
				Requests: 1 + 50, Points: 1, Nodes: 50 + 5000, Secondary: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := tc.query
			if tc.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", "clients", tc.file))
				if err != nil {
					t.Fatal(err)
				}
				q = string(b)
			}
			var vars map[string]any
			if tc.variables != "" {
				if err := json.Unmarshal([]byte(tc.variables), &vars); err != nil {
					t.Fatal(err)
				}
			}
			got, err := gqlcost.Analyze(q, "", vars)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Analyze =\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}
