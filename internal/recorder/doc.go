// Package recorder is the recording reverse proxy behind callbudget record:
// it listens on 127.0.0.1, forwards every request of the command under
// test to the real GitHub API (or a GitHub Enterprise Server, or a fake)
// with the real token added, and keeps each exchange as a go-vcr v3
// interaction, in call order, with the upstream's URLs
// (https://api.github.com/...), so that the replay server's origin
// rewriting replays it.
//
// What the client receives is the upstream's answer with gzip decoded and
// the upstream's URLs in the Link and Location headers and in JSON and
// text bodies rewritten to the proxy, so that it pages, follows redirects
// and the "url" fields of bodies through it, as the replay server has it
// do on replay. Each answer is therefore read whole, up to a cap (64 MiB by
// default; more fails the recording), before the client gets it. What is
// recorded is the request as the client sent it (its dummy token included)
// and the answer as the upstream sent it, decoded.
//
// Uploads: a request whose path starts with /api/uploads/ (the uploads
// prefix of GitHub Enterprise Server), or an upload of a release asset
// (POST /repos/{owner}/{repo}/releases/{id}/assets), goes to the uploads
// host: https://uploads.github.com for github.com, {origin}/api/uploads
// otherwise. An upload_url in a release's JSON names the upstream's
// uploads host, so the client receives it rewritten to the proxy's
// /api/uploads/.
//
// It does not scrub, scan or write cassettes: callbudget record does,
// with package scrub, before anything reaches the disk.
package recorder
