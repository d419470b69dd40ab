// Package fakegithub is a small, realistic fake of the GitHub REST and
// GraphQL API on net/http/httptest, for tests that drive real clients
// (go-github, PyGithub, octokit, gh) and for recording example cassettes.
//
// It owns an in-memory GitHub with just enough of the API for a CI bot's
// pipeline: the authenticated user, repositories (one by one and an
// account's list), pull requests and their changed files, file contents,
// commits, branches and their protection, commit statuses and a ref's
// combined status, check runs, issue comments (listed, read one by one,
// created, edited and deleted), /rate_limit and POST /graphql. It answers
// the way GitHub does where clients care: GitHub's JSON field names;
// paginated lists whose absolute Link headers page in GitHub's by-ID forms
// (/repositories/{id}/… for a repository's lists, /user/{id}/… and
// /organizations/{id}/… for an account's), which it answers like the
// by-name forms; a renamed repository's old name redirected to
// /repositories/{id} ([Server.AddOldName]); a ref with a slash sent as it
// is or as %2F; ETags with 304 answers to If-None-Match; the X-RateLimit-*
// headers with a Remaining that goes down, X-GitHub-Request-Id, and
// GitHub's error bodies (404 Not Found, 422 Validation Failed, 401 Bad
// credentials, 403 rate limits). Every request is kept for assertions
// ([Server.Requests]), and [Server.Fail] and [Server.FailWith] inject
// failures, down to a dropped connection ([Fault].Drop). [Server.Intercept]
// runs a test's function before a request is handled and [Server.Pause]
// holds one request until released, so a test can order two clients'
// requests (a barrier, a delayed PATCH) as a race on GitHub would. What a
// sticky-comment flow meets is built in: a comment author per token
// ([Options.Logins]), GitHub's 422 for a body over 65,536 characters, a
// read-only token's 403 ([Server.SetReadOnly]), a locked conversation's 403
// ([Server.SetLocked]) and a pull request head that moves
// ([Server.SetHeadSHA]).
//
// It is not a model of GitHub: permissions, most endpoints, webhooks and
// real GraphQL are out of scope. Unknown paths get GitHub's 404.
package fakegithub
