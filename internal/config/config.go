package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/callbudget/callbudget/internal/regfile"
)

// Defaults for what callbudget.yaml may leave out.
const (
	// DefaultFile is the config file callbudget reads when --config is
	// not given.
	DefaultFile = "callbudget.yaml"
	// DefaultBudget is the budget file, next to the config, when the
	// config names none.
	DefaultBudget = "callbudget.budget.yaml"
	// DefaultTimeout bounds each scenario's command when neither the
	// scenario nor the config sets a timeout.
	DefaultTimeout = 2 * time.Minute
	// MaxFileSize caps the config file: it is hand-written, so anything
	// larger is a mistake (or hostile) and is refused before parsing.
	MaxFileSize = 1 << 20
)

// Config is a parsed callbudget.yaml. Paths in it are absolute, resolved
// against Dir.
type Config struct {
	// Path is the file read, as given to Load or Parse; errors name it.
	Path string
	// Dir is the absolute folder of Path: relative paths in the file
	// resolve against it, and scenario commands run in it.
	Dir string
	// Budget is the absolute path of the budget file (DefaultBudget next
	// to the config when the file names none).
	Budget string
	// Tolerance is the calls over baseline allowed per scenario, exactly
	// as the budget package's ParseTolerance reads it: a whole number of
	// calls ("2") or a percentage ("5%"). "0" when the file sets none.
	// Its syntax has been checked.
	Tolerance string
	// Timeout is the default per-scenario timeout (DefaultTimeout when
	// the file sets none); Scenario.Timeout already has it applied.
	Timeout time.Duration

	// Settings that mirror command-line flags, for the command to use
	// when the flag and its CALLBUDGET_* variable are not set. Zero when
	// the file does not set them.
	Format   string // "text", "json" or "markdown"; "" when not set
	Report   string // absolute path of the JSON report to write; "" when not set
	AllowNew *bool  // nil when not set

	// Redact holds the user's patterns for secrets of their own: record
	// replaces what they match before writing a cassette, and the secret
	// scan refuses a cassette where one still matches.
	Redact []*regexp.Regexp

	// Scenarios are in file order; names are unique.
	Scenarios []Scenario
}

// Scenario is one pipeline run to replay and count.
type Scenario struct {
	// Name is unique in the config and safe as a file name and a YAML
	// key: it matches [A-Za-z0-9._-]+ and is not "." or "..".
	Name string
	// Cassette is the absolute path of the go-vcr cassette to replay. It
	// is not checked to exist: the runner reports that, with Line.
	Cassette string
	// Run is the shell command line, run by sh -c in Config.Dir.
	Run string
	// Timeout bounds the command: the scenario's own, else the config's.
	// Always positive.
	Timeout time.Duration
	// AllowUnmatched lets requests the cassette has no answer for pass
	// (they are still counted and listed) instead of failing the scenario.
	AllowUnmatched bool
	// Tolerance is the scenario's own tolerance, in Config.Tolerance's
	// syntax; "" means the config's.
	Tolerance string
	// Env holds extra environment variables for the command, set on top
	// of the inherited environment. Never one callbudget sets itself
	// (GITHUB_API_URL, GITHUB_TOKEN, …). Nil when none.
	Env map[string]string
	// NoIntercept is "intercept: false": the command gets no HTTPS_PROXY
	// and no CA variables, and the replay's interception face refuses
	// every CONNECT. By default clients that always call
	// https://api.github.com are counted through it.
	NoIntercept bool
	// InterceptHosts are hosts the interception face decrypts besides
	// api.github.com and uploads.github.com (intercept_hosts: a GitHub
	// Enterprise Server host), lower case, each once. Nil when none.
	InterceptHosts []string
	// Format is the cassette's format, one of the names
	// importer.ParseFormat takes (govcr, requre, vcrpy, har, nock); ""
	// means detected from the content.
	Format string
	// Line is where the scenario starts in the config, and CassetteLine
	// where its cassette is named, for errors such as a missing cassette.
	Line         int
	CassetteLine int
}

// EffectiveTolerance is the tolerance that applies to s: its own, or the
// config's.
func (c *Config) EffectiveTolerance(s Scenario) string {
	if s.Tolerance != "" {
		return s.Tolerance
	}
	return c.Tolerance
}

// Load reads and parses the config file at path. Every error is an *Error
// wrapping ErrInvalid; a missing file also wraps fs.ErrNotExist.
//
// Only a regular file is read: the file is opened with O_NONBLOCK, so that
// a named pipe with no writer does not block the open, and what fstat says
// is not a regular file (a folder, a pipe, a device) is refused.
func Load(path string) (*Config, error) {
	f, st, err := regfile.Open(path)
	switch {
	case st != nil && st.IsDir():
		return nil, &Error{File: path, Msg: "is a directory, not a config file", Err: fs.ErrInvalid}
	case errors.Is(err, regfile.ErrNotRegular):
		return nil, &Error{File: path, Msg: err.Error(), Err: fs.ErrInvalid}
	case err != nil:
		return nil, readError(path, err)
	}
	defer f.Close()
	if st.Size() > MaxFileSize {
		return nil, tooLarge(path, st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, data)
}

func readError(path string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	msg = "cannot read config: " + msg
	if errors.Is(err, fs.ErrNotExist) {
		if filepath.Base(path) == DefaultFile {
			msg += " (create " + DefaultFile + ", see README, or pass --config)"
		} else {
			msg += " (check the --config path)"
		}
	}
	return &Error{File: path, Msg: msg, Err: err}
}

func tooLarge(path string, size int64) error {
	return &Error{File: path, Msg: fmt.Sprintf("config is %d bytes, over the %d-byte cap for a hand-written file", size, MaxFileSize)}
}

// Select returns the scenarios named, in config order, or all of them when
// names is empty: the --scenario filter. A name the config does not define
// is an error wrapping ErrUnknownScenario that lists the names it does.
func (c *Config) Select(names []string) ([]Scenario, error) {
	if len(names) == 0 {
		return slices.Clone(c.Scenarios), nil
	}
	known := make([]string, len(c.Scenarios))
	for i, s := range c.Scenarios {
		known[i] = s.Name
	}
	want := make(map[string]bool, len(names))
	var unknown []string
	for _, n := range names {
		if !slices.Contains(known, n) && !want[n] {
			q := fmt.Sprintf("%q", n)
			if s := suggest(n, known); s != "" {
				q += fmt.Sprintf(" (did you mean %q?)", s)
			}
			unknown = append(unknown, q)
		}
		want[n] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w %s; %s defines: %s", ErrUnknownScenario, strings.Join(unknown, ", "), c.Path, strings.Join(known, ", "))
	}
	var out []Scenario
	for _, s := range c.Scenarios {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}
