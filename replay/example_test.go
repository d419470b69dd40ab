package replay_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/callbudget/callbudget/replay"
	"github.com/google/go-github/v62/github"
)

// prOpened is a go-vcr v3 cassette of a bot's run: it read a pull request
// and commented on it.
const prOpened = `version: 2
interactions:
  - id: 0
    request:
      method: GET
      url: https://api.github.com/repos/octo-org/hello-world/pulls/1
    response:
      code: 200
      headers:
        Content-Type: ["application/json; charset=utf-8"]
      body: '{"number": 1, "title": "Add Packit config"}'
  - id: 1
    request:
      method: POST
      url: https://api.github.com/repos/octo-org/hello-world/issues/1/comments
      body: '{"body": "Build started."}'
    response:
      code: 201
      headers:
        Content-Type: ["application/json; charset=utf-8"]
      body: '{"id": 42, "body": "Build started."}'
`

func ExampleNewTransport() {
	c, err := replay.Parse("pr-opened.yaml", []byte(prOpened), replay.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	t := replay.NewTransport(c, replay.Options{})
	gh := github.NewClient(&http.Client{Transport: t})
	ctx := context.Background()

	pr, _, err := gh.PullRequests.Get(ctx, "octo-org", "hello-world", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pr.GetTitle())
	// A second GET of the same pull request: served again, counted as a
	// repeat.
	gh.PullRequests.Get(ctx, "octo-org", "hello-world", 1)
	gh.Issues.CreateComment(ctx, "octo-org", "hello-world", 1, &github.IssueComment{Body: github.String("Build started.")})

	counts := t.Counts()
	fmt.Printf("total %d, mutating %d, repeats %d\n", counts.Total, counts.Mutating, counts.Repeats)
	for _, e := range counts.Endpoints {
		fmt.Println(e.Operation, e.Count)
	}
	// Output:
	// Add Packit config
	// total 3, mutating 1, repeats 1
	// issues/create-comment 1
	// pulls/get 2
}

func ExampleNewServer() {
	c, err := replay.Parse("pr-opened.yaml", []byte(prOpened), replay.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Any client in any process can be pointed at srv.URL(); here
	// go-github, the GitHub Enterprise way.
	gh, err := github.NewClient(nil).WithEnterpriseURLs(srv.URL(), srv.URL())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	pr, _, err := gh.PullRequests.Get(ctx, "octo-org", "hello-world", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pr.GetTitle())
	// Nothing was recorded for issue 2: a 404, counted as unmatched.
	_, resp, _ := gh.Issues.Get(ctx, "octo-org", "hello-world", 2)
	fmt.Println(resp.StatusCode, resp.Header.Get(replay.UnmatchedHeader))

	counts := srv.Counts()
	fmt.Printf("total %d, unmatched %v\n", counts.Total, counts.Unmatched)
	// Output:
	// Add Packit config
	// 404 true
	// total 2, unmatched [{GET /repos/octo-org/hello-world/issues/2 1}]
}

// A client that always calls https://api.github.com reaches the same
// Server as its HTTPS proxy, trusting the Server's CA: gh, PyGithub with no
// base URL, curl. callbudget run gives them HTTPS_PROXY and a CA bundle.
func ExampleServer_CA() {
	c, err := replay.Parse("pr-opened.yaml", []byte(prOpened), replay.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	proxy, err := url.Parse(srv.URL())
	if err != nil {
		log.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(proxy),                  // HTTPS_PROXY
		TLSClientConfig: &tls.Config{RootCAs: srv.CA().Pool()}, // SSL_CERT_FILE
	}}
	gh := github.NewClient(hc) // no base URL: https://api.github.com
	pr, _, err := gh.PullRequests.Get(context.Background(), "octo-org", "hello-world", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pr.GetTitle())

	// Nothing else is reachable: replay has no network.
	_, err = hc.Get("https://example.com/")
	fmt.Println(err != nil)

	counts := srv.Counts()
	fmt.Printf("total %d, refused %v\n", counts.Total, counts.Refused)
	// Output:
	// Add Packit config
	// true
	// total 1, refused [{example.com 1}]
}

func ExampleCountRecorded() {
	c, err := replay.Parse("pr-opened.yaml", []byte(prOpened), replay.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	counts := replay.CountRecorded(c, replay.Options{})
	fmt.Printf("total %d, mutating %d, secondary points %d\n", counts.Total, counts.Mutating, counts.SecondaryPoints)
	for _, e := range counts.Endpoints {
		fmt.Println(e.Method, e.Route, e.Operation, e.Count)
	}
	// Output:
	// total 2, mutating 1, secondary points 6
	// POST /repos/{owner}/{repo}/issues/{issue_number}/comments issues/create-comment 1
	// GET /repos/{owner}/{repo}/pulls/{pull_number} pulls/get 1
}
