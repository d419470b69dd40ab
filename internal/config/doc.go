// Package config reads callbudget.yaml, the hand-written file that names a
// project's scenarios: for each one, the go-vcr cassette it replays and the
// command that runs the pipeline against the replay.
//
//	budget: callbudget.budget.yaml   # default: next to the config
//	tolerance: 0                     # or "5%"; per scenario too
//	timeout: 2m                      # default per-scenario timeout
//	scenarios:
//	  - name: pr-opened              # [A-Za-z0-9._-]+, unique
//	    cassette: testdata/cassettes/pr-opened.yaml
//	    run: go run ./examples/pipeline --event testdata/events/pr-opened.json
//	    timeout: 2m
//	    allow_unmatched: false
//	    tolerance: 2
//	    env: {PIPELINE_LOG: debug}
//	    intercept: true               # false: no HTTPS_PROXY, no CA variables
//	    intercept_hosts: [ghe.example.com]  # GitHub Enterprise Server, besides api.github.com: intercepted, and named from its description
//
// The top level may also set format, report and allow_new, the settings of
// the flags of the same names, and keys starting with "x-", which are
// ignored: a place for YAML anchors that scenarios merge (<<: *defaults).
//
// Parsing is strict, because a typo in a gate's configuration must not turn
// into a silent pass: unknown keys, wrong types, duplicate keys and
// duplicate scenario names are errors, each reported like a compiler as
// "file:line: what is wrong" (see [Error]), all of a file's problems at
// once. The file comes from the pull request under test, so parsing is
// also bounded: a size cap, and a cap on what merge keys may expand to.
// Relative paths are resolved against the config file's folder, where the
// scenario commands also run.
//
// The package does not check that cassettes exist or are valid (the replay
// package and the runner report that, and [Scenario.CassetteLine] lets the
// caller point at the config line), does not read the budget file (the
// budget package does), and does not know about flags or environment
// variables (the command merges those over the settings read here).
package config
