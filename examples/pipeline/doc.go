// Command pipeline is an example GitHub bot for callbudget to measure: for
// one pull_request webhook event it does what a Packit-like CI bot does
// (read the pull request, read the bot's config file at the head commit,
// list the changed files, report a commit status and a check run, and
// leave a summary comment) with go-github.
//
// It is written to be copied. main.go turns flags and environment into a
// *github.Client; pipeline.go holds the calls, in run, so tests can drive
// them through any client: recorded with go-vcr against a fake GitHub
// (record_test.go) and replayed and counted by callbudget's replay package
// (replay_test.go). See README.md.
//
// Usage:
//
//	GITHUB_API_URL=https://api.github.com GITHUB_TOKEN=… \
//	    go run ./examples/pipeline --event testdata/events/pr-opened.json
package main
