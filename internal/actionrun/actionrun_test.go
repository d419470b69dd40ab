package actionrun_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/actionrun"
	_ "github.com/callbudget/callbudget/internal/golden"
)

// action is a composite action that uses each part of the runner's
// contract actionrun implements.
const action = `name: test
inputs:
  name: {default: world}
  mode: {default: run}
outputs:
  greeting: {value: "${{ steps.hello.outputs.greeting }}"}
  used: {value: "${{ steps.uses.outputs.got }}"}
  after: {value: "${{ steps.cleanup.outputs.ran }}"}
runs:
  using: composite
  steps:
    - id: hello
      name: hello
      shell: bash
      env: {WHO: "${{ inputs.name }}"}
      run: |
        echo "greeting=hello $WHO" >> "$GITHUB_OUTPUT"
        { echo "long<<EOF"; echo "line 1"; echo "line 2"; echo "EOF"; } >> "$GITHUB_OUTPUT"
        echo "FROM_STEP=set by hello" >> "$GITHUB_ENV"
        mkdir -p tools && printf '#!/bin/sh\necho tool ran\n' > tools/mytool && chmod +x tools/mytool
        echo "$PWD/tools" >> "$GITHUB_PATH"
        echo "## hello" >> "$GITHUB_STEP_SUMMARY"
        echo "to the log"
    - id: skipped
      name: skipped
      if: ${{ inputs.mode == 'skip' }}
      shell: bash
      run: exit 9
    - id: uses
      name: uses
      uses: some/action@v1
      with: {v: "${{ steps.hello.outputs.greeting }} from ${{ github.action_path }}"}
    - id: fail
      name: fail
      shell: bash
      working-directory: tools
      run: |
        test "$FROM_STEP" = "set by hello"
        test "$(basename "$PWD")" = tools
        test "$GITHUB_ACTION_PATH" = "${{ github.action_path }}"
        mytool
        echo "## fail" >> "$GITHUB_STEP_SUMMARY"
        exit 3
    - id: not-after-failure
      name: not after a failure
      shell: bash
      run: exit 8
    - id: cleanup
      name: cleanup
      if: failure()
      shell: bash
      run: echo "ran=yes" >> "$GITHUB_OUTPUT"
    - id: compare
      name: a comparison after a failure
      if: inputs.mode != 'skip'
      shell: bash
      run: exit 7
`

func writeAction(t *testing.T, yml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "action.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRun(t *testing.T) {
	t.Parallel()
	actionPath := writeAction(t, action)
	var log bytes.Buffer
	var gotWith map[string]string
	r := &actionrun.Runner{
		ActionPath: actionPath,
		Workspace:  t.TempDir(),
		Env:        map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir()},
		Inputs:     map[string]string{"name": "callbudget"},
		Uses: func(uses string, with map[string]string) (map[string]string, error) {
			if uses != "some/action@v1" {
				t.Errorf("uses %q", uses)
			}
			gotWith = with
			return map[string]string{"got": with["v"]}, nil
		},
		Log: &log,
	}
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 {
		t.Errorf("exit %d, want the failed step's 3\n%s", res.ExitCode, log.String())
	}
	wantWith := map[string]string{"v": "hello callbudget from " + actionPath}
	if !maps.Equal(gotWith, wantWith) {
		t.Errorf("uses: with %v, want %v", gotWith, wantWith)
	}
	hello := res.Step("hello")
	if hello == nil || !maps.Equal(hello.Outputs, map[string]string{"greeting": "hello callbudget", "long": "line 1\nline 2"}) {
		t.Errorf("step hello: %+v", hello)
	}
	for id, want := range map[string]struct {
		skipped bool
		code    int
	}{
		"hello": {false, 0}, "skipped": {true, 0}, "uses": {false, 0}, "fail": {false, 3},
		"not-after-failure": {true, 0}, "cleanup": {false, 0}, "compare": {true, 0},
	} {
		if s := res.Step(id); s == nil || s.Skipped != want.skipped || s.ExitCode != want.code {
			t.Errorf("step %s: %+v, want skipped %v, exit %d", id, s, want.skipped, want.code)
		}
	}
	if res.Step("nope") != nil {
		t.Error("Step of an unknown id is not nil")
	}
	wantOut := map[string]string{"greeting": "hello callbudget", "used": "hello callbudget from " + actionPath, "after": "yes"}
	if !maps.Equal(res.Outputs, wantOut) {
		t.Errorf("outputs %v, want %v", res.Outputs, wantOut)
	}
	if res.Summary != "## hello\n## fail\n" {
		t.Errorf("summary %q", res.Summary)
	}
	if !strings.Contains(log.String(), "to the log\n") || !strings.Contains(log.String(), "tool ran\n") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestRunDefaultsAndUsesFailure: inputs take their defaults, a failed
// uses: step fails the action with exit 1 and an error line in the log.
func TestRunDefaultsAndUsesFailure(t *testing.T) {
	t.Parallel()
	actionPath := writeAction(t, `inputs:
  name: {default: world}
outputs:
  name: {value: "${{ inputs.name }}"}
runs:
  using: composite
  steps:
    - uses: broken/action@v1
`)
	var log bytes.Buffer
	res, err := (&actionrun.Runner{
		ActionPath: actionPath, Workspace: t.TempDir(), Log: &log,
		Uses: func(string, map[string]string) (map[string]string, error) {
			return nil, os.ErrPermission
		},
	}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 1 || res.Outputs["name"] != "world" || !strings.Contains(log.String(), "##[error]broken/action@v1: permission denied") {
		t.Errorf("exit %d, outputs %v, log %q", res.ExitCode, res.Outputs, log.String())
	}
}

// TestRunRefuses: what actionrun does not run is an error, not a guess.
func TestRunRefuses(t *testing.T) {
	t.Parallel()
	steps := func(s string) string { return "runs:\n  using: composite\n  steps:\n" + s }
	for _, tc := range []struct {
		name, yml string
		inputs    map[string]string
		msg       string
	}{
		{"not composite", "runs:\n  using: docker\n", nil, `runs.using "docker", want composite`},
		{"not YAML", "runs: [", nil, "action.yml:"},
		{"undeclared input", steps("    - {shell: bash, run: 'true'}\n"), map[string]string{"nope": "x"}, `input "nope" is not declared`},
		{"unsupported expression", steps("    - {shell: bash, run: 'echo ${{ toJSON(inputs) }}'}\n"), nil, `unsupported expression "toJSON(inputs)"`},
		{"unsupported condition", steps("    - {if: \"contains(github.ref, 'x')\", shell: bash, run: 'true'}\n"), nil, "unsupported condition"},
		{"no such input", steps("    - {shell: bash, run: 'echo ${{ inputs.nope }}'}\n"), nil, "inputs.nope: no such input"},
		{"not bash", steps("    - {shell: sh, run: 'true'}\n"), nil, `shell "sh": only bash is run`},
		{"no uses runner", steps("    - uses: a/b@v1\n"), nil, "the test runs no uses: steps"},
		{"neither run nor uses", steps("    - name: empty\n"), nil, "neither run nor uses"},
		{"bad GITHUB_OUTPUT", steps("    - {shell: bash, run: 'echo nonsense >> \"$GITHUB_OUTPUT\"'}\n"), nil, "neither name=value nor name<<DELIMITER"},
		{"unclosed GITHUB_OUTPUT block", steps("    - {shell: bash, run: 'echo \"a<<EOF\" >> \"$GITHUB_OUTPUT\"'}\n"), nil, `a: no closing "EOF"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := (&actionrun.Runner{ActionPath: writeAction(t, tc.yml), Workspace: t.TempDir(), Inputs: tc.inputs,
				Env: map[string]string{"PATH": os.Getenv("PATH")}}).Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Run: %v, want an error with %q", err, tc.msg)
			}
		})
	}
	if _, err := (&actionrun.Runner{ActionPath: t.TempDir()}).Run(context.Background()); !os.IsNotExist(err) {
		t.Errorf("no action.yml: %v", err)
	}
}
