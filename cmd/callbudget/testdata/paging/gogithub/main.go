// Command gogithub is a go-github v62 client for paging_test.go, which
// records and replays it through callbudget: GITHUB_API_URL is its base
// URL, GITHUB_TOKEN its token.
//
//	gogithub nextpage OWNER REPO PULL  # a pull request's files, following resp.NextPage
//	gogithub link OWNER REPO PULL      # the same, following the Link header's next URL
//	gogithub protection OWNER REPO BRANCH
//
// nextpage builds each page's URL itself (/repos/OWNER/REPO/…?page=N);
// link asks for the absolute URL GitHub's Link header gives
// (/repositories/ID/…), as PyGithub and octokit do.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gogithub:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) != 4 {
		return errors.New("usage: gogithub nextpage|link|protection OWNER REPO PULL|BRANCH")
	}
	base, err := url.Parse(strings.TrimSuffix(os.Getenv("GITHUB_API_URL"), "/") + "/")
	if err != nil {
		return err
	}
	gh := github.NewClient(nil).WithAuthToken(os.Getenv("GITHUB_TOKEN"))
	gh.BaseURL = base
	owner, repo := args[1], args[2]
	switch args[0] {
	case "protection":
		p, _, err := gh.Repositories.GetBranchProtection(ctx, owner, repo, args[3])
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "gogithub: %s protected, strict %v\n", args[3], p.GetRequiredStatusChecks().Strict)
		return nil
	case "nextpage", "link":
		number, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		files, pages, err := listFiles(ctx, gh, args[0] == "link", owner, repo, number)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "gogithub: %d files in %d pages\n", files, pages)
		return nil
	}
	return fmt.Errorf("unknown mode %q", args[0])
}

var nextRE = regexp.MustCompile(`<([^>]*)>;\s*rel="next"`)

func listFiles(ctx context.Context, gh *github.Client, link bool, owner, repo string, number int) (files, pages int, err error) {
	opts := &github.ListOptions{PerPage: 100}
	req, err := gh.NewRequest("GET", fmt.Sprintf("repos/%s/%s/pulls/%d/files?per_page=100", owner, repo, number), nil)
	if err != nil {
		return 0, 0, err
	}
	for {
		var page []*github.CommitFile
		var resp *github.Response
		if link {
			resp, err = gh.Do(ctx, req, &page)
		} else {
			page, resp, err = gh.PullRequests.ListFiles(ctx, owner, repo, number, opts)
		}
		if err != nil {
			return 0, 0, err
		}
		files += len(page)
		pages++
		if !link {
			if resp.NextPage == 0 {
				return files, pages, nil
			}
			opts.Page = resp.NextPage
			continue
		}
		m := nextRE.FindStringSubmatch(resp.Header.Get("Link"))
		if m == nil {
			return files, pages, nil
		}
		// An absolute URL: NewRequest resolves it against BaseURL, so it
		// is asked for as GitHub gave it.
		if req, err = gh.NewRequest("GET", m[1], nil); err != nil {
			return 0, 0, err
		}
	}
}
