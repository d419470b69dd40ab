package action

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// DefaultAPIURL is GITHUB_API_URL on github.com.
const DefaultAPIURL = "https://api.github.com"

// NewClient returns a go-github client for the REST API at apiURL (the
// runner's GITHUB_API_URL; "" is github.com's) authenticated with token,
// with a 30-second timeout per request unless hc says otherwise.
//
// Another host than api.github.com is set up with WithEnterpriseURLs (GitHub
// Enterprise Server's https://HOST/api/v3, GHE.com's https://api.TENANT.ghe.com),
// keeping apiURL's path as it is: go-github adds /api/v3 to a URL without
// it, and the runner's URL is always the API's root already (a proxy may
// serve it under any path).
func NewClient(apiURL, token, userAgent string, hc *http.Client) (*github.Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := github.NewClient(hc)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if u.Host != "api.github.com" {
		upload := *u
		upload.Path = strings.TrimSuffix(u.Path, "api/v3/") + "api/uploads/"
		if c, err = c.WithEnterpriseURLs(u.String(), upload.String()); err != nil {
			return nil, fmt.Errorf("GITHUB_API_URL %q: %w", apiURL, err)
		}
		c.BaseURL = u
	}
	if userAgent != "" {
		c.UserAgent = userAgent
	}
	return c, nil
}
