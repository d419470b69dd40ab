// Package actionrun runs a composite action's action.yml the way the
// GitHub Actions runner does, for tests: its inputs with their defaults,
// its steps in order, each step's if: condition, the ${{ … }} expressions
// of the contexts a composite action sees (inputs, github, runner, env,
// steps.<id>.outputs, github.event.* from GITHUB_EVENT_PATH as it was when
// the action started), a fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// GITHUB_ENV, GITHUB_PATH and GITHUB_STATE file per step (in
// RUNNER_TEMP/_runner_file_commands when RUNNER_TEMP is set, as the
// runner keeps them), shell: bash as
// `bash --noprofile --norc -eo pipefail FILE`, and the action's outputs
// from its steps'. A uses: step is handed to a function of the test.
//
// It owns no GitHub behaviour beyond that contract, and supports only the
// expression forms action.yml uses (a context value, a quoted string, ==
// and != between them, success(), failure(), always(), cancelled() and
// its negation): anything else is an error, so that the action cannot
// drift past what its test can run.
package actionrun

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is the part of action.yml the runner reads for a composite action.
type Action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []Step `yaml:"steps"`
	} `yaml:"runs"`
}

// Step is one step of runs.steps.
type Step struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
}

// Runner runs one action.yml.
type Runner struct {
	// ActionPath is the folder holding action.yml: github.action_path.
	ActionPath string
	// Workspace is GITHUB_WORKSPACE, the steps' working directory.
	Workspace string
	// Env is the job's environment (GITHUB_*, RUNNER_*, PATH…), given to
	// every step under the step's own env:.
	Env map[string]string
	// Inputs are the workflow's with: for the action; missing ones take
	// action.yml's defaults.
	Inputs map[string]string
	// Github is the github context beyond action_path (action_ref,
	// action_repository, token…).
	Github map[string]string
	// Uses runs a uses: step with its evaluated with:, and returns its
	// outputs; nil fails every uses: step.
	Uses func(uses string, with map[string]string) (map[string]string, error)
	// Log receives the steps' stdout and stderr, as the job log does.
	Log io.Writer
}

// StepResult is what one step did.
type StepResult struct {
	ID, Name string
	Skipped  bool
	ExitCode int
	Outputs  map[string]string
}

// Result is what the action did.
type Result struct {
	Steps []StepResult
	// Outputs are the action's outputs (outputs.<name>.value).
	Outputs map[string]string
	// Summary is every step's GITHUB_STEP_SUMMARY, in order.
	Summary string
	// ExitCode is the first failed step's exit code: the action's.
	ExitCode int
	// Env is the job's environment after the action (GITHUB_ENV's
	// additions included), and Path the folders GITHUB_PATH added: what
	// the job's later steps would get.
	Env  map[string]string
	Path []string
}

// Step returns the result of the step with id, or nil.
func (r *Result) Step(id string) *StepResult {
	for i := range r.Steps {
		if r.Steps[i].ID == id {
			return &r.Steps[i]
		}
	}
	return nil
}

// Run runs the action. An error is a fault of the action's definition or
// of the harness, not a failed step: those are in Result.ExitCode.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(r.ActionPath, "action.yml"))
	if err != nil {
		return nil, err
	}
	var a Action
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	if a.Runs.Using != "composite" {
		return nil, fmt.Errorf("action.yml: runs.using %q, want composite", a.Runs.Using)
	}
	files, err := os.MkdirTemp("", "actionrun-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(files)

	c := &exprContext{
		inputs: map[string]string{},
		github: map[string]string{"action_path": r.ActionPath, "workspace": r.Workspace},
		runner: map[string]string{"temp": r.Env["RUNNER_TEMP"], "os": r.Env["RUNNER_OS"], "arch": r.Env["RUNNER_ARCH"]},
		env:    map[string]string{},
		steps:  map[string]map[string]string{},
	}
	for k, v := range r.Github {
		c.github[k] = v
	}
	if p := r.Env["GITHUB_EVENT_PATH"]; p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&c.event); err != nil {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
		}
	}
	for name, in := range a.Inputs {
		c.inputs[name] = in.Default
	}
	for name, v := range r.Inputs {
		if _, ok := a.Inputs[name]; !ok {
			return nil, fmt.Errorf("input %q is not declared in action.yml", name)
		}
		c.inputs[name] = v
	}
	jobEnv := map[string]string{}
	for k, v := range r.Env {
		jobEnv[k] = v
	}
	var extraPath []string
	res := &Result{Outputs: map[string]string{}}
	for i, st := range a.Runs.Steps {
		sr := StepResult{ID: st.ID, Name: st.Name, Outputs: map[string]string{}}
		ok, err := c.condition(st.If)
		if err != nil {
			return nil, fmt.Errorf("step %d (%s) if: %w", i+1, st.Name, err)
		}
		if !ok {
			sr.Skipped = true
			res.Steps = append(res.Steps, sr)
			continue
		}
		env := map[string]string{}
		for k, v := range jobEnv {
			env[k] = v
		}
		for k, v := range st.Env {
			if env[k], err = c.interpolate(v); err != nil {
				return nil, fmt.Errorf("step %d (%s) env %s: %w", i+1, st.Name, k, err)
			}
		}
		if len(extraPath) > 0 {
			env["PATH"] = strings.Join(extraPath, string(os.PathListSeparator)) + string(os.PathListSeparator) + env["PATH"]
		}
		switch {
		case st.Uses != "":
			with := map[string]string{}
			for k, v := range st.With {
				if with[k], err = c.interpolate(v); err != nil {
					return nil, fmt.Errorf("step %d (%s) with %s: %w", i+1, st.Name, k, err)
				}
			}
			if r.Uses == nil {
				return nil, fmt.Errorf("step %d: uses %s, and the test runs no uses: steps", i+1, st.Uses)
			}
			out, err := r.Uses(st.Uses, with)
			if err != nil {
				sr.ExitCode = 1
				fmt.Fprintf(r.log(), "##[error]%s: %v\n", st.Uses, err)
			}
			for k, v := range out {
				sr.Outputs[k] = v
			}
		case st.Run != "":
			if st.Shell != "bash" {
				return nil, fmt.Errorf("step %d (%s): shell %q: only bash is run", i+1, st.Name, st.Shell)
			}
			script, err := c.interpolate(st.Run)
			if err != nil {
				return nil, fmt.Errorf("step %d (%s) run: %w", i+1, st.Name, err)
			}
			dir := filepath.Join(files, strconv.Itoa(i+1))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			// The runner's own place for them: RUNNER_TEMP/_runner_file_commands,
			// one file per step and command with a random name.
			cmdDir := dir
			if t := r.Env["RUNNER_TEMP"]; t != "" {
				cmdDir = filepath.Join(t, "_runner_file_commands")
				if err := os.MkdirAll(cmdDir, 0o755); err != nil {
					return nil, err
				}
			}
			for k, f := range map[string]string{"GITHUB_OUTPUT": "set_output_", "GITHUB_STEP_SUMMARY": "step_summary_", "GITHUB_ENV": "set_env_", "GITHUB_PATH": "add_path_", "GITHUB_STATE": "save_state_"} {
				env[k] = filepath.Join(cmdDir, f+rand.Text())
				if err := os.WriteFile(env[k], nil, 0o644); err != nil {
					return nil, err
				}
			}
			env["GITHUB_ACTION_PATH"] = r.ActionPath
			scriptFile := filepath.Join(dir, "script.sh")
			if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
				return nil, err
			}
			cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
			cmd.Dir = r.Workspace
			if st.WorkingDirectory != "" {
				cmd.Dir = filepath.Join(r.Workspace, st.WorkingDirectory)
			}
			cmd.Env = environ(env)
			cmd.Stdout, cmd.Stderr = r.log(), r.log()
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					return nil, fmt.Errorf("step %d (%s): %w", i+1, st.Name, err)
				}
				sr.ExitCode = ee.ExitCode()
			}
			if sr.Outputs, err = ReadCommandFile(env["GITHUB_OUTPUT"]); err != nil {
				return nil, fmt.Errorf("step %d (%s) GITHUB_OUTPUT: %w", i+1, st.Name, err)
			}
			newEnv, err := ReadCommandFile(env["GITHUB_ENV"])
			if err != nil {
				return nil, fmt.Errorf("step %d (%s) GITHUB_ENV: %w", i+1, st.Name, err)
			}
			for k, v := range newEnv {
				jobEnv[k] = v
			}
			paths, err := os.ReadFile(env["GITHUB_PATH"])
			if err != nil {
				return nil, err
			}
			for _, p := range strings.Split(strings.TrimSpace(string(paths)), "\n") {
				if p != "" {
					extraPath = append([]string{p}, extraPath...)
				}
			}
			summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
			if err != nil {
				return nil, err
			}
			res.Summary += string(summary)
		default:
			return nil, fmt.Errorf("step %d (%s): neither run nor uses", i+1, st.Name)
		}
		if st.ID != "" {
			c.steps[st.ID] = sr.Outputs
		}
		res.Steps = append(res.Steps, sr)
		if sr.ExitCode != 0 && !c.failed {
			c.failed = true
			res.ExitCode = sr.ExitCode
		}
	}
	res.Env, res.Path = jobEnv, extraPath
	for name, o := range a.Outputs {
		v, err := c.interpolate(o.Value)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		res.Outputs[name] = v
	}
	return res, nil
}

func (r *Runner) log() io.Writer {
	if r.Log == nil {
		return io.Discard
	}
	return r.Log
}

func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// ReadCommandFile reads a runner command file (GITHUB_OUTPUT, GITHUB_ENV):
// name=value lines, and name<<DELIMITER blocks.
func ReadCommandFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				return nil, fmt.Errorf("%s: no closing %q", name, delim)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %q: neither name=value nor name<<DELIMITER", line)
		}
		out[name] = val
	}
	return out, sc.Err()
}

// exprContext holds the contexts expressions read.
type exprContext struct {
	event                       any // the event payload, read at the start as the runner does
	inputs, github, runner, env map[string]string
	steps                       map[string]map[string]string
	failed                      bool
}

var exprRe = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// interpolate replaces each ${{ expr }} of s with its value.
func (c *exprContext) interpolate(s string) (string, error) {
	var err error
	out := exprRe.ReplaceAllStringFunc(s, func(m string) string {
		v, e := c.value(exprRe.FindStringSubmatch(m)[1])
		if e != nil && err == nil {
			err = e
		}
		return v
	})
	return out, err
}

// condition evaluates an if: (with or without ${{ }}); "" is success().
func (c *exprContext) condition(s string) (bool, error) {
	s = strings.TrimSpace(s)
	if m := exprRe.FindStringSubmatch(s); m != nil && m[0] == s {
		s = m[1]
	}
	switch s {
	case "", "success()":
		return !c.failed, nil
	case "failure()":
		return c.failed, nil
	case "always()", "!cancelled()":
		return true, nil
	case "cancelled()":
		return false, nil
	}
	for _, op := range []string{"==", "!="} {
		if l, r, ok := strings.Cut(s, op); ok {
			lv, err := c.value(strings.TrimSpace(l))
			if err != nil {
				return false, err
			}
			rv, err := c.value(strings.TrimSpace(r))
			if err != nil {
				return false, err
			}
			// A condition with no status function is ANDed with success().
			return !c.failed && (lv == rv) == (op == "=="), nil
		}
	}
	return false, fmt.Errorf("unsupported condition %q", s)
}

// eventValue is github.event.<path>: a string or number as the runner
// formats it, "" when missing.
func eventValue(v any, path []string) string {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// value is a context reference or a quoted string.
func (c *exprContext) value(e string) (string, error) {
	if len(e) >= 2 && e[0] == '\'' && e[len(e)-1] == '\'' {
		return strings.ReplaceAll(e[1:len(e)-1], "''", "'"), nil
	}
	parts := strings.Split(e, ".")
	switch {
	case len(parts) == 2 && parts[0] == "inputs":
		v, ok := c.inputs[parts[1]]
		if !ok {
			return "", fmt.Errorf("%s: no such input", e)
		}
		return v, nil
	case len(parts) == 2 && parts[0] == "github":
		return c.github[parts[1]], nil
	case len(parts) > 2 && parts[0] == "github" && parts[1] == "event":
		return eventValue(c.event, parts[2:]), nil
	case len(parts) == 2 && parts[0] == "runner":
		return c.runner[parts[1]], nil
	case len(parts) == 2 && parts[0] == "env":
		return c.env[parts[1]], nil
	case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
		return c.steps[parts[1]][parts[3]], nil
	}
	return "", fmt.Errorf("unsupported expression %q", e)
}
