package runner

import (
	"maps"
	"slices"
	"strings"
)

// DummyToken is what the command gets as GITHUB_TOKEN and GH_TOKEN: clients
// that insist on a token get one, and the real one never reaches the code
// under test. The replay server ignores it.
const DummyToken = "callbudget-replay-dummy-token"

// The variables Run sets for every command (see DESIGN.md, "What the
// scenario command gets"). Neither Options.Environ nor Job.ExtraEnv can
// change them.
const (
	EnvAPIURL     = "GITHUB_API_URL"
	EnvReplayURL  = "CALLBUDGET_REPLAY_URL"
	EnvGraphQLURL = "GITHUB_GRAPHQL_URL"
	EnvToken      = "GITHUB_TOKEN"
	EnvGHToken    = "GH_TOKEN"
	// EnvRunTag is a random value per run of a command, inherited by
	// everything it starts: at its end, every process still carrying it is
	// killed, wherever it moved in the process tree (setsid, double fork).
	EnvRunTag = "CALLBUDGET_SCENARIO_RUN"
)

// secretEnv are credentials a GitHub Actions job (or a developer's shell)
// holds that the code under test must not see: they are dropped.
var secretEnv = []string{
	"GITHUB_ENTERPRISE_TOKEN",
	"GH_ENTERPRISE_TOKEN",
	// ACTIONS_* (ACTIONS_RUNTIME_TOKEN for the cache and artifacts,
	// ACTIONS_ID_TOKEN_REQUEST_TOKEN that mints OIDC tokens for cloud
	// logins, ACTIONS_RUNTIME_URL …) is dropped by prefix.
	// The runner's command files: whoever writes them sets the step's
	// outputs and summary, and the environment and PATH of later steps.
	"GITHUB_OUTPUT",
	"GITHUB_ENV",
	"GITHUB_PATH",
	"GITHUB_STEP_SUMMARY",
	"GITHUB_STATE",
}

// isSecret reports whether the variable named k is dropped: one of
// secretEnv, or an action input holding a token (INPUT_GITHUB-TOKEN, the
// form the runner passes the action's github-token input in).
func isSecret(k string) bool {
	if slices.Contains(secretEnv, k) || strings.HasPrefix(k, "ACTIONS_") {
		return true
	}
	u := strings.ToUpper(k)
	return strings.HasPrefix(u, "INPUT_") && strings.Contains(u, "TOKEN")
}

// environ builds the command's environment: base without the variables
// Run sets or drops, then extra (sorted, so the result is stable), then
// the contract's variables for the replay server at url and the run's
// tag.
func environ(base []string, url string, extra map[string]string, tag string, ic *Interception) []string {
	set := map[string]string{
		EnvRunTag:     tag,
		EnvAPIURL:     url,
		EnvReplayURL:  url,
		EnvGraphQLURL: url + "/graphql",
		EnvToken:      DummyToken,
		EnvGHToken:    DummyToken,
	}
	// The replay server is on loopback: no outside proxy (a corporate
	// runner's HTTP_PROXY) may stand between the command and it.
	noProxy := mergeNoProxy(getenv(base, "NO_PROXY"), getenv(base, "no_proxy"), extra["NO_PROXY"], extra["no_proxy"])
	set["NO_PROXY"], set["no_proxy"] = noProxy, noProxy
	if ic != nil {
		for _, k := range proxyEnv {
			set[k] = ic.ProxyURL
		}
		// Node 24 and later route fetch (octokit's default) through
		// HTTPS_PROXY only when asked; older Node ignores it.
		if _, ok := extra[envNodeUseEnvProxy]; !ok && getenv(base, envNodeUseEnvProxy) == "" {
			set[envNodeUseEnvProxy] = "1"
		}
		if ic.CABundle != "" {
			for _, k := range CABundleEnv {
				set[k] = ic.CABundle
			}
		}
	}
	env := make([]string, 0, len(base)+len(extra)+len(set))
	for _, kv := range base {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || isSecret(k) {
			continue
		}
		if _, ok := set[k]; ok {
			continue
		}
		if _, ok := extra[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if _, ok := set[k]; !ok && k != "" && !strings.Contains(k, "=") {
			env = append(env, k+"="+extra[k])
		}
	}
	// Python buffers stdout into a pipe until it exits, so a Python
	// scenario's output would only show when it ends; unbuffered, it shows
	// as it is printed. A value of the caller's own is kept.
	if _, ok := extra[envPythonUnbuffered]; !ok && !slices.ContainsFunc(base, func(kv string) bool { return strings.HasPrefix(kv, envPythonUnbuffered+"=") }) {
		env = append(env, envPythonUnbuffered+"=1")
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		env = append(env, k+"="+set[k])
	}
	return env
}

// Interception is the HTTPS interception face a command is pointed at:
// clients that always call https://api.github.com reach it through
// HTTPS_PROXY and trust its CA through the bundle.
type Interception struct {
	// ProxyURL is the face's URL, http://127.0.0.1:PORT: the command's
	// HTTPS_PROXY and https_proxy.
	ProxyURL string
	// CABundle is a file of the system roots and the face's CA: every
	// variable of CABundleEnv.
	CABundle string
}

// envNodeUseEnvProxy makes Node 24+ honour HTTPS_PROXY for fetch.
const envNodeUseEnvProxy = "NODE_USE_ENV_PROXY"

// proxyEnv are the variables that name the interception face.
var proxyEnv = []string{"HTTPS_PROXY", "https_proxy"}

// CABundleEnv are the variables the runtimes read a CA bundle from: Go,
// OpenSSL and Python's ssl (SSL_CERT_FILE), requests (REQUESTS_CA_BUNDLE),
// curl (CURL_CA_BUNDLE), Node (NODE_EXTRA_CA_CERTS, added to its own
// roots), git (GIT_SSL_CAINFO).
var CABundleEnv = []string{"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO"}

// loopbackNoProxy is always in the command's NO_PROXY.
var loopbackNoProxy = []string{"127.0.0.1", "localhost", "::1"}

// mergeNoProxy joins the NO_PROXY lists given with the loopback names,
// each name once, in order.
func mergeNoProxy(lists ...string) string {
	var out []string
	seen := map[string]bool{}
	for _, l := range append(lists, strings.Join(loopbackNoProxy, ",")) {
		for _, n := range strings.Split(l, ",") {
			if n = strings.TrimSpace(n); n != "" && !seen[strings.ToLower(n)] {
				seen[strings.ToLower(n)] = true
				out = append(out, n)
			}
		}
	}
	return strings.Join(out, ",")
}

// envPythonUnbuffered is set for scenario commands unless given.
const envPythonUnbuffered = "PYTHONUNBUFFERED"

// getenv returns the last value of k in env, as the C library does.
func getenv(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	return ""
}

// IsCredential reports whether the variable named k holds a credential
// that callbudget itself may use but must not leave where a scenario
// command could read it (its own /proc/<pid>/environ): the tokens
// GITHUB_TOKEN and GH_TOKEN (the scenario's own are the dummy), the
// GitHub Enterprise ones, the Actions runtime's (ACTIONS_*TOKEN*) and an
// action input holding a token.
func IsCredential(k string) bool {
	switch k {
	case EnvToken, EnvGHToken, "GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN", "CALLBUDGET_INPUT_TOKEN":
		return true
	}
	u := strings.ToUpper(k)
	return (strings.HasPrefix(u, "INPUT_") || strings.HasPrefix(u, "ACTIONS_")) && strings.Contains(u, "TOKEN")
}
