package gqlcost_test

import (
	"fmt"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

func ExampleAnalyze() {
	info, err := gqlcost.Analyze(`query($n: Int!) {
  viewer {
    repositories(first: $n) { nodes { issues(first: 50) { nodes { labels(first: 60) { nodes { name } } } } } }
  }
}`, "", map[string]any{"n": float64(100)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s: %d requests, %d points, %d secondary\n", info.Kind, info.Name, info.Requests, info.Points, info.Secondary)

	info, _ = gqlcost.Analyze(`query($n: Int!) { viewer { repositories(first: $n) { totalCount } } }`, "", nil)
	fmt.Println(info.Estimated, info.Notes)
	// Output:
	// query viewer.repositories.nodes.issues.nodes.labels.nodes: 5101 requests, 51 points, 1 secondary
	// true [viewer.repositories: first from $n: not given, 100 assumed]
}

func ExampleRecordedCost() {
	cost, ok := gqlcost.RecordedCost([]byte(`{"data":{"viewer":{"login":"octocat"},"rateLimit":{"cost":1,"remaining":4999}}}`))
	fmt.Println(cost, ok)
	// Output: 1 true
}
