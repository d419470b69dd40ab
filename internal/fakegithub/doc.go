// Package fakegithub is a small, realistic fake of the GitHub REST and
// GraphQL API on net/http/httptest, for tests that drive real clients
// (go-github, PyGithub, octokit, gh) and for recording example cassettes.
//
// It owns an in-memory GitHub with just enough of the API for a CI bot's
// pipeline: the authenticated user, repositories, pull requests and their
// changed files, file contents, commit statuses, check runs, issue comments
// (listed, read one by one, created, edited and deleted),
// /rate_limit and POST /graphql. It answers the way GitHub does where clients
// care: GitHub's JSON field names, paginated lists with absolute Link
// headers, ETags with 304 answers to If-None-Match, the X-RateLimit-* headers
// with a Remaining that goes down, X-GitHub-Request-Id, and GitHub's error
// bodies (404 Not Found, 422 Validation Failed, 401 Bad credentials, 403
// rate limits). Every request is kept for assertions ([Server.Requests]),
// and [Server.Fail] and [Server.FailWith] inject failures, down to a
// dropped connection ([Fault].Drop). [Server.Intercept] runs a test's
// function before a request is handled and [Server.Pause] holds one
// request until released, so a test can order two clients' requests (a
// barrier, a delayed PATCH) as a race on GitHub would. What a
// sticky-comment flow meets is built in: a comment author per token
// ([Options.Logins]), GitHub's 422 for a body over 65,536 characters,
// a read-only token's 403 ([Server.SetReadOnly]), a locked conversation's
// 403 ([Server.SetLocked]) and a pull request head that moves
// ([Server.SetHeadSHA]).
//
// It is not a model of GitHub: permissions, most endpoints, webhooks and
// real GraphQL are out of scope. Unknown paths get GitHub's 404.
package fakegithub
