// Package scrub removes credentials from go-vcr cassette interactions before
// they are written, and scans loaded cassettes for token-shaped strings that
// are still there.
//
// It owns what counts as a secret: the credential headers and query
// parameters, GitHub's documented token formats (ghp_, gho_, ghu_, ghs_,
// ghr_, github_pat_), JWTs, PEM private key blocks, the token values the
// caller knows (also base64- and URL-encoded) and the user's redact
// patterns. It does not read or write files: callers load cassettes with
// package replay and save them themselves.
package scrub
