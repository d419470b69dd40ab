// Package runner runs one scenario's command against a replay server and
// returns what it counted.
//
// It owns the process side of the contract in DESIGN.md ("What the scenario
// command gets"): the command sees GITHUB_API_URL and CALLBUDGET_REPLAY_URL
// pointing at a replay server on loopback, GITHUB_GRAPHQL_URL at its
// /graphql, and a dummy GITHUB_TOKEN and GH_TOKEN; the real tokens of the
// environment (the action's input, GitHub Enterprise tokens, the Actions
// runtime and OIDC request tokens) never reach it. The command runs in its
// own process group with stdin closed; on timeout or cancellation the
// whole group gets SIGTERM, then SIGKILL after a grace period, and whatever
// the command leaves running in its group when it exits is killed too, as
// is every process that still carries the run's random tag
// (CALLBUDGET_SCENARIO_RUN) wherever it moved (setsid, a double fork), so
// nothing outlives the replay server it was pointed at. A process that
// also dropped the tag is caught by BecomeSubreaper and KillDescendants,
// which callbudget uses around all its scenarios (Linux). Inside GitHub
// Actions its output can be fenced with ::stop-commands:: so the code under
// test cannot issue workflow commands: Options.Fence fences one command's,
// OpenFence the output of several commands sharing one stream.
//
// Clients that always call https://api.github.com (PyGithub with no base
// URL, gh on its default host, a script with the URL written into it)
// reach the same server as their HTTPS proxy: unless the replay's
// interception face is off, the command gets HTTPS_PROXY and https_proxy
// naming the server, and SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
// CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS and GIT_SSL_CAINFO naming a
// temporary bundle of the system roots and the server's CA, made for this
// run (its key never leaves callbudget) and removed when the command is
// done. gh, the GitHub CLI, works on its default host through the proxy;
// for GitHub Enterprise, GH_HOST names a host the replay intercepts too
// (Replay.InterceptHosts), and gh wants GH_ENTERPRISE_TOKEN, which is never
// passed on: give it a dummy. GH_HOST is left as it was, and GH_TOKEN is
// the dummy, so gh cannot reach GitHub as the action either. NO_PROXY and no_proxy always hold
// 127.0.0.1, localhost and ::1 (merged with what was there), so that an
// outside proxy never stands between the command and the base URL.
//
// It does not read callbudget.yaml (the config package does), compare
// counts with a budget (the budget package does), or print anything of its
// own: the command's output goes to the writers given, and the counts and
// a typed error come back to the caller.
package runner
