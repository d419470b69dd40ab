// Package replay answers a client's GitHub API requests from a recorded
// go-vcr v3 cassette and counts every request by GitHub endpoint.
//
// It owns three things: loading and validating cassettes ([Load], [Parse]),
// matching a live request to a recorded interaction in O(1) (an index keyed
// by method, normalised path, normalised query and, for POST /graphql, the
// GraphQL operation), and counting what was served ([Counts]). It offers
// its engine two ways: [Transport], an [net/http.RoundTripper] for Go code
// in-process, and [Server], a loopback HTTP server any process's client can
// be pointed at, either by base URL or, for clients that always call
// https://api.github.com, as their HTTPS proxy (its interception face, with
// a CA made for the Server; nothing else is reachable through it: replay
// has no network).
//
// Matching ignores what real clients vary: the host (api.github.com and
// uploads.github.com both replay), the GitHub Enterprise /api/v3 prefix,
// /api/graphql for /graphql, trailing and doubled slashes,
// percent-encoding and query parameter order. Identical requests take the
// recorded interactions in recorded order; once those are used up the last
// one is served again and counted as a repeat. A request nothing was
// recorded for gets a GitHub-shaped 404 and is counted as unmatched.
//
// Replay never makes a client wait or skip a request: recorded latency is
// not replayed, Retry-After is dropped and X-RateLimit-Remaining is never
// served as zero, so go-github's and octokit's throttling let every call
// through to the counter.
//
// Naming a call (route template, operation id, rate-limit resource) is the
// routes package's job; comparing counts with a budget is the budget
// package's. replay does not record: see the record command for that.
package replay
