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
// A client that takes the proxy for GitHub Enterprise Server (its base URL
// ends in /api/v3) gets the rewritten URLs under /api/v3 too: PyGithub
// checks that every URL it follows starts with its base URL's path.
//
// The interception face: with Options.CA, the proxy also answers CONNECT
// (a client's HTTPS_PROXY) on the same listener. A CONNECT to a GitHub API
// host (api.github.com, uploads.github.com, Options.Hosts, and the
// upstream's host when it is a GitHub Enterprise Server) is decrypted with
// a leaf of the CA (package intercept), and each request in it goes the
// way of a plain one, to the upstream, which stands in for that host.
// Nothing is rewritten to the proxy there: the client gets the host's own
// URLs (https://api.github.com/...), and an upstream that names another
// origin (a GitHub Enterprise Server, a test server on 127.0.0.1) has it
// rewritten to the host's, so that what the client gets and what is
// recorded are what the host would have answered; the recorded URL is the
// one the client called. A CONNECT to any other host is tunnelled
// untouched, not decrypted and not recorded (package downloads). Without a
// CA a CONNECT to a GitHub API host is refused (403, Options.NoCA).
//
// Discard mode (callbudget proxy) keeps nothing and buffers nothing: both
// bodies stream through with no size cap, the answer flushed to the client
// as it comes, its URLs rewritten on the way when it is text.
//
// It does not scrub, scan or write cassettes: callbudget record does,
// with package scrub, before anything reaches the disk.
package recorder
