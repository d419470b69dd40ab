// Package routes names GitHub API calls: given the GitHub a request was
// made to, its method and its path, it returns the REST operation that
// GitHub documents for it (template, operation id, docs category, docs URL,
// the GitHubs that document it) and the rate-limit resource the call is
// counted against.
//
// It owns the operation table, generated from GitHub's REST OpenAPI
// descriptions of api.github.com, GitHub Enterprise Cloud and GitHub
// Enterprise Server (npm @octokit/openapi, see table_gen.go and
// internal/routegen), the matching of concrete paths against its
// templates, which GitHub a host is (ProductFor), the hand-written GraphQL
// entry, the mapping to rate-limit resources and their list (Resources),
// and the fallback template that lets calls the table does not know still
// group together.
//
// It takes the path escaped, as it was on the wire, and percent-decodes
// each segment itself after splitting, so that a slash sent as %2F inside a
// branch name or file path stays part of its value; [CanonicalPath] gives
// one spelling of such a path, for callers that key on it. It does not otherwise
// normalise URLs: stripping a scheme and host, a GitHub Enterprise Server
// /api/v3 prefix, the query string and a trailing slash is the caller's
// job. It does no I/O and keeps no counts.
package routes
