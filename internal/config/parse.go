package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/yamlbound"
)

// The keys each level of the file may hold, in the order messages list them.
var (
	topKeys      = []string{"budget", "tolerance", "timeout", "scenarios", "format", "report", "allow_new", "redact"}
	scenarioKeys = []string{"name", "cassette", "run", "timeout", "allow_unmatched", "tolerance", "env", "format", "intercept", "intercept_hosts"}
	formats      = []string{"text", "json", "markdown"}
	// cassetteFormats are the names importer.ParseFormat takes for a
	// scenario's format: (the config does not import the importer).
	cassetteFormats = []string{"govcr", "requre", "vcrpy", "har", "nock"}
)

// reservedEnv are the variables callbudget sets for every scenario command
// (see the runner package); a scenario's env may not override them, or the
// command would talk to the real API, or with a real token.
var reservedEnv = []string{"GITHUB_API_URL", "GITHUB_GRAPHQL_URL", "CALLBUDGET_REPLAY_URL", "GITHUB_TOKEN", "GH_TOKEN"}

var (
	nameRE          = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	envNameRE       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	tolCallsRE      = regexp.MustCompile(`^[0-9]+$`)
	tolPercentRE    = regexp.MustCompile(`^([0-9]+(\.[0-9]{1,2})?)\s*%$`)
	yamlLineRE      = regexp.MustCompile(`line (\d+): `)
	hostRE          = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

const maxNameLen = 128

// maxMergeDepth bounds nested YAML merge keys (<<), which a real config
// never nests more than once or twice.
const maxMergeDepth = 8

// Parse parses data as the config file at path (used in errors and to
// resolve relative paths). It never panics, whatever data holds. Every
// error wraps ErrInvalid; several problems come back joined, one
// "file:line: …" per line, and errors.As finds the first as an *Error.
func Parse(path string, data []byte) (cfg *Config, err error) {
	defer func() {
		// yaml.v3 reports its own failures as errors; this is the last
		// line of defence for anything it does not.
		if r := recover(); r != nil {
			cfg, err = nil, &Error{File: path, Msg: fmt.Sprintf("cannot decode config: %v", r)}
		}
	}()
	if len(data) > MaxFileSize {
		return nil, tooLarge(path, int64(len(data)))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot resolve the config's folder: " + err.Error(), Err: err}
	}
	p := &parser{errs: errorList{file: path}, data: data}
	cfg = &Config{Path: path, Dir: filepath.Dir(abs)}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: path, Msg: emptyMsg}
		}
		return nil, p.yamlError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{File: path, Line: next.Line, Msg: "holds a second YAML document; a config is one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, p.yamlError(err)
	}
	if err := checkExpansion(path, &doc, len(data)); err != nil {
		return nil, err
	}

	p.config(cfg, &doc)
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

const emptyMsg = "config is empty: it needs a scenarios list (see README)"

type parser struct {
	errs errorList
	data []byte
	// work counts mapping entries visited: merge keys (<<) can make a
	// small file describe a huge mapping, which is refused past maxWork.
	work int
}

// maxWork is far more mapping entries than any real config has, and few
// enough to visit in milliseconds.
const maxWork = 20_000

func (p *parser) yamlError(err error) error {
	// Decoding to a node, yaml.v3 fails only on syntax, with "yaml: line
	// N: …"; types and keys are checked by the walk over the nodes.
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	} else if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 does not say where; the first use of the name is.
		if i := bytes.Index(p.data, []byte("*"+m[1])); i >= 0 {
			line = 1 + bytes.Count(p.data[:i], []byte("\n"))
		}
	}
	return &Error{File: p.errs.file, Line: line, Msg: "not valid YAML: " + msg}
}

// field is one key and its value in a mapping.
type field struct{ key, val *yaml.Node }

func (f field) name() string { return f.key.Value }

func (p *parser) config(cfg *Config, doc *yaml.Node) {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			p.errs.add(0, emptyMsg)
			return
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		p.errs.add(0, emptyMsg)
		return
	}
	if root.Kind != yaml.MappingNode {
		p.errs.add(root.Line, fmt.Sprintf("a config is a mapping of settings (%s), found %s", strings.Join(topKeys, ", "), describe(root)))
		return
	}

	cfg.Budget = filepath.Join(cfg.Dir, DefaultBudget)
	cfg.Tolerance = "0"
	cfg.Timeout = DefaultTimeout
	var scenarios *field
	for _, f := range p.fields(root, topKeys, "", 0) {
		switch f.name() {
		case "budget":
			if s, ok := p.path(f, "", cfg.Dir); ok {
				cfg.Budget = s
			}
		case "tolerance":
			if s, ok := p.tolerance(f, ""); ok {
				cfg.Tolerance = s
			}
		case "timeout":
			if d, ok := p.duration(f, ""); ok {
				cfg.Timeout = d
			}
		case "format":
			if s, ok := p.str(f, ""); ok {
				if slices.Contains(formats, s) {
					cfg.Format = s
				} else {
					p.errs.add(f.val.Line, fmt.Sprintf("format %q: must be one of %s", s, strings.Join(formats, ", ")))
				}
			}
		case "report":
			if s, ok := p.path(f, "", cfg.Dir); ok {
				cfg.Report = s
			}
		case "allow_new":
			if b, ok := p.boolean(f, ""); ok {
				cfg.AllowNew = &b
			}
		case "redact":
			cfg.Redact = p.patterns(f)
		case "scenarios":
			scenarios = &f
		}
	}
	if scenarios == nil {
		p.errs.add(root.Line, `no scenarios: add a "scenarios:" list naming each scenario's name, cassette and run (see README)`)
		return
	}
	list := resolve(scenarios.val)
	if isNull(list) || (list.Kind == yaml.SequenceNode && len(list.Content) == 0) {
		p.errs.add(scenarios.key.Line, "scenarios: the list is empty; name at least one scenario (name, cassette, run)")
		return
	}
	if list.Kind != yaml.SequenceNode {
		p.errs.add(list.Line, "scenarios: must be a list of scenarios (- name: …), found "+describe(list))
		return
	}
	firstLine := map[string]int{}
	for i, item := range list.Content {
		s, ok := p.scenario(cfg, i, item)
		if s.Name != "" {
			if first, dup := firstLine[s.Name]; dup {
				p.errs.add(s.Line, fmt.Sprintf("duplicate scenario name %q (first at line %d): names must be unique", s.Name, first))
				continue
			}
			firstLine[s.Name] = s.Line
		}
		if ok {
			cfg.Scenarios = append(cfg.Scenarios, s)
		}
	}
}

// scenario parses the i-th scenario; ok is false when it has an error
// (already reported).
func (p *parser) scenario(cfg *Config, i int, item *yaml.Node) (s Scenario, ok bool) {
	item = resolve(item)
	what := fmt.Sprintf("scenario #%d", i+1)
	if item.Kind != yaml.MappingNode {
		p.errs.add(item.Line, fmt.Sprintf("%s: must be a mapping (name, cassette, run, …), found %s", what, describe(item)))
		return s, false
	}
	s.Line = item.Line
	before := len(p.errs.errs)
	if n := nameOf(item); n != "" {
		what = fmt.Sprintf("scenario %q", n)
	}
	fields := p.fields(item, scenarioKeys, what, 0)
	// The name first, so every other message can say which scenario.
	// given* say a key is there, even if its value is wrong (and already
	// reported), so a wrong value is not also reported as missing.
	var givenName, givenCassette, givenRun bool
	interceptLine := 0
	for _, f := range fields {
		if f.name() != "name" {
			continue
		}
		name, ok := p.str(f, what)
		givenName = !ok || name != ""
		switch {
		case !ok || name == "":
		case len(name) > maxNameLen:
			p.errs.add(f.val.Line, fmt.Sprintf("%s: name is %d characters long, over %d", what, len(name), maxNameLen))
		case !nameRE.MatchString(name) || name == "." || name == "..":
			p.errs.add(f.val.Line, fmt.Sprintf("%s: name %q may only hold letters, digits, '.', '_' and '-' (it names report files and budget keys)", what, name))
		default:
			s.Name = name
			what = fmt.Sprintf("scenario %q", name)
		}
	}
	s.Timeout = cfg.Timeout
	for _, f := range fields {
		switch f.name() {
		case "cassette":
			givenCassette = !isNull(resolve(f.val))
			if !givenCassette {
				break
			}
			if v, ok := p.path(f, what, cfg.Dir); ok {
				s.Cassette, s.CassetteLine = v, f.val.Line
			}
		case "run":
			v, ok := p.str(f, what)
			givenRun = !ok || strings.TrimSpace(v) != ""
			if ok && givenRun {
				s.Run = v
			}
		case "timeout":
			if d, ok := p.duration(f, what); ok {
				s.Timeout = d
			}
		case "allow_unmatched":
			if b, ok := p.boolean(f, what); ok {
				s.AllowUnmatched = b
			}
		case "tolerance":
			if v, ok := p.tolerance(f, what); ok {
				s.Tolerance = v
			}
		case "env":
			s.Env = p.env(f, what)
		case "intercept":
			if b, ok := p.boolean(f, what); ok {
				s.NoIntercept = !b
				interceptLine = f.val.Line
			}
		case "intercept_hosts":
			s.InterceptHosts = p.hosts(f, what)
		case "format":
			if v, ok := p.str(f, what); ok && v != "" {
				if slices.Contains(cassetteFormats, v) {
					s.Format = v
				} else {
					p.errs.add(f.val.Line, fmt.Sprintf("%sformat %q: the cassette's format must be one of %s (or leave it out to detect it)", prefix(what), v, strings.Join(cassetteFormats, ", ")))
				}
			}
		}
	}
	if s.NoIntercept && len(s.InterceptHosts) > 0 {
		p.errs.add(interceptLine, fmt.Sprintf("%sintercept: false, but intercept_hosts names hosts to intercept: drop one of them", prefix(what)))
	}
	if !givenName {
		p.errs.add(item.Line, fmt.Sprintf(`%s has no name: add "name: <name>" (letters, digits, '.', '_', '-')`, what))
	}
	if !givenCassette {
		p.errs.add(item.Line, fmt.Sprintf(`%s has no cassette: add "cassette: <path of the go-vcr cassette to replay>"`, what))
	}
	if !givenRun {
		p.errs.add(item.Line, fmt.Sprintf(`%s has no run: add "run: <command that runs the pipeline>" (run by sh -c in %s)`, what, cfg.Dir))
	}
	return s, len(p.errs.errs) == before
}

// nameOf peeks at a scenario's name, so that messages about keys before
// it can already name the scenario; "" unless the name is valid.
func nameOf(m *yaml.Node) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "name" && v.Kind == yaml.ScalarNode &&
			len(v.Value) <= maxNameLen && nameRE.MatchString(v.Value) && v.Value != "." && v.Value != ".." {
			return v.Value
		}
	}
	return ""
}

// fields returns the keys and values of mapping m with merge keys (<<)
// expanded, after checking that each key is allowed (allowed nil: any)
// and given once. what prefixes messages; "" means the top level, where
// keys starting with "x-" are skipped so that they can hold YAML anchors
// for the scenarios to merge (<<: *defaults).
func (p *parser) fields(m *yaml.Node, allowed []string, what string, depth int) []field {
	extensions := what == "" && depth == 0 // top level only
	if p.work += len(m.Content) / 2; p.work > maxWork {
		p.errs.add(m.Line, fmt.Sprintf("merge keys (<<) expand to over %d settings; a config this large is a mistake", maxWork))
		return nil
	}
	var out []field
	seen := map[string]bool{}
	var merges []*yaml.Node
	firstLine := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		k = resolve(k)
		if k.Kind != yaml.ScalarNode {
			p.errs.add(k.Line, prefix(what)+"a key must be a plain name, found "+describe(k))
			continue
		}
		if first, dup := firstLine[k.Value]; dup {
			p.errs.add(k.Line, fmt.Sprintf("%skey %q given twice (first at line %d)", prefix(what), k.Value, first))
			continue
		}
		firstLine[k.Value] = k.Line
		if extensions && strings.HasPrefix(k.Value, "x-") {
			continue // a home for YAML anchors, like docker compose's x- keys
		}
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			msg := fmt.Sprintf("%sunknown key %q (allowed: %s)", prefix(what), k.Value, strings.Join(allowed, ", "))
			if s := suggest(k.Value, allowed); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			p.errs.add(k.Line, msg)
			continue
		}
		seen[k.Value] = true
		out = append(out, field{k, v})
	}
	for _, mv := range merges {
		if depth >= maxMergeDepth {
			p.errs.add(mv.Line, prefix(what)+"merge keys (<<) nested too deeply (or merging themselves)")
			break
		}
		mv = resolve(mv)
		maps := []*yaml.Node{mv}
		if mv.Kind == yaml.SequenceNode {
			maps = mv.Content
		}
		for _, mm := range maps {
			mm = resolve(mm)
			if mm.Kind != yaml.MappingNode {
				p.errs.add(mm.Line, prefix(what)+"<< must merge a mapping or a list of mappings, found "+describe(mm))
				continue
			}
			// Keys given here win over merged ones; of several merged
			// mappings, the first wins (YAML merge semantics).
			for _, f := range p.fields(mm, allowed, what, depth+1) {
				if !seen[f.name()] {
					seen[f.name()] = true
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func prefix(what string) string {
	if what == "" {
		return ""
	}
	return what + ": "
}

// str returns f's value as a string; a null value is "". ok is false (and
// an error reported) when the value is a list or mapping.
func (p *parser) str(f field, what string) (string, bool) {
	v := resolve(f.val)
	if isNull(v) {
		return "", true
	}
	if v.Kind != yaml.ScalarNode {
		p.errs.add(v.Line, fmt.Sprintf("%s%s: must be a string, found %s", prefix(what), f.name(), describe(v)))
		return "", false
	}
	return v.Value, true
}

// patterns returns f's value, a list of Go regular expressions, compiled;
// each bad one is reported at its own line.
func (p *parser) patterns(f field) []*regexp.Regexp {
	v := resolve(f.val)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errs.add(v.Line, fmt.Sprintf("%s: must be a list of regular expressions, found %s", f.name(), describe(v)))
		return nil
	}
	var out []*regexp.Regexp
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || isNull(item) || item.Value == "" {
			p.errs.add(item.Line, fmt.Sprintf("%s: each entry must be a regular expression, found %s", f.name(), describe(item)))
			continue
		}
		re, err := regexp.Compile(item.Value)
		if err != nil {
			p.errs.add(item.Line, fmt.Sprintf("%s: %q is not a regular expression: %v", f.name(), item.Value, err))
			continue
		}
		out = append(out, re)
	}
	return out
}

// maxHosts bounds intercept_hosts: a GitHub Enterprise host or two.
const maxHosts = 16

// hosts reads intercept_hosts: a list of host names (no scheme, no port),
// returned in lower case.
func (p *parser) hosts(f field, what string) []string {
	v := resolve(f.val)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errs.add(v.Line, fmt.Sprintf("%s%s: must be a list of host names (ghe.example.com), found %s", prefix(what), f.name(), describe(v)))
		return nil
	}
	if len(v.Content) > maxHosts {
		p.errs.add(v.Line, fmt.Sprintf("%s%s: %d hosts, over %d", prefix(what), f.name(), len(v.Content), maxHosts))
		return nil
	}
	var out []string
	for _, item := range v.Content {
		item = resolve(item)
		h := strings.ToLower(strings.TrimSuffix(item.Value, "."))
		if item.Kind != yaml.ScalarNode || isNull(item) || len(h) > 253 || !hostRE.MatchString(h) {
			p.errs.add(item.Line, fmt.Sprintf("%s%s: each entry must be a host name such as ghe.example.com (no scheme, no port: the replay answers port 443), found %s", prefix(what), f.name(), describe(item)))
			continue
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// path returns f's value resolved against dir; empty is an error.
func (p *parser) path(f field, what, dir string) (string, bool) {
	s, ok := p.str(f, what)
	if !ok {
		return "", false
	}
	if strings.TrimSpace(s) == "" {
		p.errs.add(f.val.Line, fmt.Sprintf("%s%s: is empty; give a file path (relative paths are relative to %s)", prefix(what), f.name(), dir))
		return "", false
	}
	if strings.ContainsRune(s, 0) {
		p.errs.add(f.val.Line, fmt.Sprintf("%s%s: %q is not a usable file path", prefix(what), f.name(), s))
		return "", false
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(dir, s)
	}
	return filepath.Clean(s), true
}

func (p *parser) duration(f field, what string) (time.Duration, bool) {
	s, ok := p.str(f, what)
	if !ok {
		return 0, false
	}
	line := f.val.Line
	if tolCallsRE.MatchString(s) && s != strings.Repeat("0", len(s)) {
		p.errs.add(line, fmt.Sprintf("%s%s: %s has no unit; write %ss or %sm", prefix(what), f.name(), s, s, s))
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errs.add(line, fmt.Sprintf("%s%s: %q is not a duration; write it like 90s, 2m or 1h30m", prefix(what), f.name(), s))
		return 0, false
	}
	if d <= 0 {
		p.errs.add(line, fmt.Sprintf("%s%s: %q must be positive", prefix(what), f.name(), s))
		return 0, false
	}
	return d, true
}

func (p *parser) boolean(f field, what string) (bool, bool) {
	v := resolve(f.val)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" {
		return strings.EqualFold(v.Value, "true"), true
	}
	p.errs.add(v.Line, fmt.Sprintf("%s%s: must be true or false, found %s", prefix(what), f.name(), describe(v)))
	return false, false
}

// Bounds of a tolerance, as the budget package's ParseTolerance has them:
// far above any sensible one.
const (
	maxToleranceCalls   = 1_000_000
	maxTolerancePercent = 1000
)

// tolerance checks what budget.ParseTolerance reads: a whole number of
// calls or a percentage with up to two decimals, never negative. It
// returns the canonical form ("007" is "7", "5 %" is "5%").
func (p *parser) tolerance(f field, what string) (string, bool) {
	s, ok := p.str(f, what)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	bad := func(why string) (string, bool) {
		p.errs.add(f.val.Line, fmt.Sprintf("%s%s: %q %s; write a whole number of calls (2) or a percentage (\"5%%\")", prefix(what), f.name(), s, why))
		return "", false
	}
	if tolCallsRE.MatchString(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n > maxToleranceCalls {
			return bad(fmt.Sprintf("is over %d calls", maxToleranceCalls))
		}
		return strconv.Itoa(n), true
	}
	if m := tolPercentRE.FindStringSubmatch(s); m != nil {
		pct, err := strconv.ParseFloat(m[1], 64)
		if err != nil || pct > maxTolerancePercent {
			return bad(fmt.Sprintf("is over %d%%", maxTolerancePercent))
		}
		return m[1] + "%", true
	}
	switch {
	case strings.HasPrefix(s, "-"):
		return bad("is negative")
	case strings.HasSuffix(s, "%"):
		return bad("is not a percentage with at most two decimals")
	}
	return bad("is not a tolerance")
}

func (p *parser) env(f field, what string) map[string]string {
	v := resolve(f.val)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errs.add(v.Line, fmt.Sprintf("%senv: must be a mapping of variable names to values, found %s", prefix(what), describe(v)))
		return nil
	}
	env := map[string]string{}
	for _, e := range p.fields(v, nil, what, 0) {
		name := e.name()
		switch {
		case !envNameRE.MatchString(name):
			p.errs.add(e.key.Line, fmt.Sprintf("%senv: %q is not a variable name (letters, digits and '_', not starting with a digit)", prefix(what), name))
			continue
		case slices.Contains(reservedEnv, name):
			p.errs.add(e.key.Line, fmt.Sprintf("%senv: %s is set by callbudget for every scenario (%s) and cannot be overridden", prefix(what), name, strings.Join(reservedEnv, ", ")))
			continue
		}
		val, ok := p.str(e, what+": env")
		if !ok {
			continue
		}
		if strings.ContainsRune(val, 0) {
			p.errs.add(e.val.Line, fmt.Sprintf("%senv: %s: a value cannot hold a NUL byte", prefix(what), name))
			continue
		}
		env[name] = val
	}
	return env
}

// Bounds on what the config's aliases may make it stand for. Anchors are
// welcome (x- keys hold them for scenarios to merge), so they are not
// refused; a config that stands for far more than it holds is: over
// expansionFactor times its own nodes (and at least minExpandedNodes), or
// over expansionFactor times its size in text (and at least
// minExpandedText bytes). A real config's merges repeat a few settings a
// few times.
const (
	expansionFactor  = 10
	minExpandedNodes = 100_000
	minExpandedText  = MaxFileSize
)

// checkExpansion refuses a config whose aliases expand past the bounds
// above, naming the alias that crosses them, before anything follows an
// alias. An alias inside the node it names (a merge of itself) is left to
// the walk, which refuses it with its own message.
func checkExpansion(path string, doc *yaml.Node, size int) error {
	ex := yamlbound.Check(doc, size, yamlbound.Limits{
		NodeFactor: expansionFactor, MinNodes: minExpandedNodes,
		TextFactor: expansionFactor, MinText: minExpandedText,
	})
	if ex == nil || ex.Recursive {
		return nil
	}
	return &Error{File: path, Line: ex.Alias.Line, Msg: fmt.Sprintf("YAML alias *%s: %s; refusing it", ex.Alias.Value, ex.Reason("config"))}
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what a node holds, for "found …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		v := n.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return strconv.Quote(v)
	}
	return "an alias"
}
