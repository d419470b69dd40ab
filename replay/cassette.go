package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/regfile"
)

// DefaultMaxBytes is the largest cassette file Load reads unless
// LoadOptions says otherwise. Decoding costs about ten times the file size in
// memory, so 64 MiB keeps a hostile or mistaken file well under a gigabyte.
const DefaultMaxBytes = 64 << 20

// Errors a cassette can fail with. A *LoadError wraps one of them (or an
// error from the file system, such as fs.ErrNotExist); test with errors.Is.
var (
	ErrEmpty    = errors.New("cassette is empty")
	ErrTooLarge = errors.New("cassette is larger than the size cap")
	ErrVersion  = fmt.Errorf("unsupported cassette version (callbudget reads go-vcr v3 cassettes, version: %d)", cassette.CassetteFormatV2)
	ErrSyntax   = errors.New("not valid YAML")
	ErrInvalid  = errors.New("invalid cassette")
	// ErrAlias: the cassette holds a YAML anchor or alias. go-vcr never
	// writes them, and refusing them before anything expands them is what
	// keeps a small file from standing for billions of nodes. Wrapped
	// together with ErrInvalid.
	ErrAlias = errors.New("YAML anchors and aliases are not allowed in a cassette")
	// ErrNotRegular: the path names a named pipe, a device, a socket or
	// a folder, not a file Load can read to its end.
	ErrNotRegular  = regfile.ErrNotRegular
	errInteraction = errors.New("invalid interaction")
)

// LoadError says what is wrong with a cassette and where, like a compiler:
// "file:line: interaction 3: request method is empty".
type LoadError struct {
	File        string
	Line        int // 1-based; 0 when the problem has no line
	Interaction int // index in the interactions list; -1 when none applies
	Msg         string
	Err         error // the sentinel or underlying error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Interaction >= 0 {
		fmt.Fprintf(&b, "interaction %d: ", e.Interaction)
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// LoadOptions configures Load and Parse.
type LoadOptions struct {
	// MaxBytes caps the file size; 0 means DefaultMaxBytes.
	MaxBytes int64
}

func (o LoadOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// Cassette is a loaded, validated go-vcr v3 cassette. It keeps go-vcr's own
// types, so anything go-vcr writes loads here, and remembers the line each
// interaction starts on for error messages.
type Cassette struct {
	*cassette.Cassette
	// Path is the file the cassette was read from (or the name given to
	// Parse); errors and reports name it.
	Path  string
	lines []int
}

// Line reports the line of the file interaction i starts on (0 if unknown).
func (c *Cassette) Line(i int) int {
	if i < 0 || i >= len(c.lines) {
		return 0
	}
	return c.lines[i]
}

// Load reads and validates the go-vcr v3 cassette at path. Unlike go-vcr's
// cassette.Load it takes the path as given (no ".yaml" appended), caps the
// size, reads only a regular file (a named pipe or a device is refused at
// once, not waited on) and says which line is wrong.
func Load(path string, opts LoadOptions) (*Cassette, error) {
	return load(context.Background(), path, opts)
}

// LoadContext is Load that gives up as soon as ctx is done, with a
// *LoadError wrapping ctx.Err(). yaml.v3 cannot be stopped in the middle of
// a parse, so the load goes on in the background until its next check of
// ctx (between reading, parsing, checking and decoding) and its result is
// dropped: a command that exits on an interrupt loses nothing to it.
func LoadContext(ctx context.Context, path string, opts LoadOptions) (*Cassette, error) {
	return withContext(ctx, path, func(ctx context.Context) (*Cassette, error) { return load(ctx, path, opts) })
}

// ParseContext is Parse that gives up as soon as ctx is done, as
// LoadContext does.
func ParseContext(ctx context.Context, name string, data []byte, opts LoadOptions) (*Cassette, error) {
	return withContext(ctx, name, func(ctx context.Context) (*Cassette, error) { return parse(ctx, name, data, opts) })
}

// withContext runs fn, returning at once when ctx is done before it has.
func withContext(ctx context.Context, name string, fn func(context.Context) (*Cassette, error)) (*Cassette, error) {
	if ctx.Done() == nil { // never canceled: no goroutine needed
		return fn(ctx)
	}
	if ctx.Err() != nil {
		return nil, interrupted(ctx, name)
	}
	type result struct {
		c   *Cassette
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned load does not block
	go func() {
		c, err := fn(ctx)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-ctx.Done():
		return nil, interrupted(ctx, name)
	}
}

// interrupted is the error of a load ctx stopped; it names the signal when
// ctx came from signal.NotifyContext.
func interrupted(ctx context.Context, name string) error {
	return &LoadError{File: name, Interaction: -1,
		Msg: fmt.Sprintf("interrupted while loading the cassette (%v)", context.Cause(ctx)), Err: ctx.Err()}
}

func load(ctx context.Context, path string, opts LoadOptions) (*Cassette, error) {
	f, st, err := regfile.Open(path)
	if errors.Is(err, regfile.ErrNotRegular) {
		return nil, &LoadError{File: path, Interaction: -1, Msg: err.Error(), Err: ErrNotRegular}
	}
	if err != nil {
		return nil, &LoadError{File: path, Interaction: -1, Msg: "cannot read cassette: " + pathErrMsg(err), Err: err}
	}
	defer f.Close()
	max := opts.maxBytes()
	if st.Size() > max {
		return nil, &LoadError{File: path, Interaction: -1,
			Msg: fmt.Sprintf("cassette is %d bytes, over the %d-byte cap (LoadOptions.MaxBytes)", st.Size(), max), Err: ErrTooLarge}
	}
	data, err := readCapped(f, st.Size(), max)
	if err != nil {
		return nil, &LoadError{File: path, Interaction: -1, Msg: "cannot read cassette: " + pathErrMsg(err), Err: err}
	}
	if int64(len(data)) > max {
		return nil, &LoadError{File: path, Interaction: -1,
			Msg: fmt.Sprintf("cassette is over the %d-byte cap", max), Err: ErrTooLarge}
	}
	f.Close() // the parse may take a while; the file is not needed for it
	return parse(ctx, path, data, opts)
}

// readCapped reads f whole, as os.ReadFile does: into a buffer of the
// size Stat gave (growing only if the file grew), stopping once more than
// max bytes have come, so a device or a pipe cannot make it read forever.
func readCapped(f *os.File, size, max int64) ([]byte, error) {
	data := make([]byte, 0, size+512)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > max {
			return data, nil
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func pathErrMsg(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// Parse validates data as a go-vcr v3 cassette; name is used in errors. It
// never panics, whatever data holds. A YAML anchor or alias anywhere is
// refused (ErrAlias) before anything is decoded: go-vcr never writes one,
// and an alias bomb would otherwise cost what it expands to, not its size.
func Parse(name string, data []byte, opts LoadOptions) (*Cassette, error) {
	return parse(context.Background(), name, data, opts)
}

func parse(ctx context.Context, name string, data []byte, opts LoadOptions) (c *Cassette, err error) {
	defer func() {
		// yaml.v3 turns its own failures into errors; this is the last
		// line of defence for anything it does not.
		if r := recover(); r != nil {
			c, err = nil, &LoadError{File: name, Interaction: -1, Msg: fmt.Sprintf("cannot decode cassette: %v", r), Err: ErrSyntax}
		}
	}()
	if int64(len(data)) > opts.maxBytes() {
		return nil, &LoadError{File: name, Interaction: -1, Msg: fmt.Sprintf("cassette is over the %d-byte cap", opts.maxBytes()), Err: ErrTooLarge}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &LoadError{File: name, Interaction: -1, Err: ErrEmpty}
	}
	// Decoding to a node first costs what yaml.Unmarshal costs (it builds
	// the same tree internally) and keeps the line numbers.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err, ErrSyntax)
	}
	if alias, anchor := findAlias(&root); alias != nil || anchor != nil {
		return nil, aliasError(name, alias, anchor)
	}
	if ctx.Err() != nil {
		return nil, interrupted(ctx, name)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		if doc.Kind == 0 || (doc.Kind == yaml.ScalarNode && doc.Tag == "!!null") {
			return nil, &LoadError{File: name, Interaction: -1, Err: ErrEmpty}
		}
		return nil, &LoadError{File: name, Line: doc.Line, Interaction: -1,
			Msg: "a cassette is a YAML mapping with version and interactions", Err: ErrInvalid}
	}
	versionNode := mappingValue(doc, "version")
	if versionNode == nil {
		return nil, &LoadError{File: name, Line: doc.Line, Interaction: -1,
			Msg: "no version: field; " + ErrVersion.Error(), Err: ErrVersion}
	}
	if versionNode.Kind != yaml.ScalarNode || versionNode.Value != strconv.Itoa(cassette.CassetteFormatV2) {
		return nil, &LoadError{File: name, Line: versionNode.Line, Interaction: -1,
			Msg: fmt.Sprintf("version %q: %v", versionNode.Value, ErrVersion), Err: ErrVersion}
	}
	inode := mappingValue(doc, "interactions")
	if inode != nil && inode.Kind != yaml.SequenceNode && !(inode.Kind == yaml.ScalarNode && inode.Tag == "!!null") {
		return nil, &LoadError{File: name, Line: inode.Line, Interaction: -1,
			Msg: "interactions: must be a list", Err: ErrInvalid}
	}
	var lines []int
	if inode != nil && inode.Kind == yaml.SequenceNode {
		lines = make([]int, len(inode.Content))
		for i, n := range inode.Content {
			lines[i] = n.Line
		}
	}

	vc := cassette.New(strings.TrimSuffix(name, ".yaml"))
	vc.File = name
	vc.IsNew = false
	if err := doc.Decode(vc); err != nil {
		return nil, yamlError(name, err, ErrInvalid)
	}
	if ctx.Err() != nil {
		return nil, interrupted(ctx, name)
	}
	c = &Cassette{Cassette: vc, Path: name, lines: lines}
	for i, in := range vc.Interactions {
		if err := validateInteraction(in); err != nil {
			line := c.Line(i)
			if inode != nil && i < len(inode.Content) {
				if fl := fieldLine(inode.Content[i], err.field); fl > 0 {
					line = fl
				}
			}
			return nil, &LoadError{File: name, Line: line, Interaction: i, Msg: err.msg, Err: errInteractionInvalid}
		}
	}
	return c, nil
}

// errInteractionInvalid is what a bad interaction wraps; it is ErrInvalid to
// callers.
var errInteractionInvalid = fmt.Errorf("%w: %w", ErrInvalid, errInteraction)

// errAliasInvalid is what an anchor or alias wraps: ErrInvalid and ErrAlias.
var errAliasInvalid = fmt.Errorf("%w: %w", ErrInvalid, ErrAlias)

// findAlias returns the first alias in document order, else the first
// anchor, else nils. It follows no alias, so it costs the tree's own size
// however much the aliases would expand to; an explicit stack keeps deep
// nesting off the Go stack.
func findAlias(root *yaml.Node) (alias, anchor *yaml.Node) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode {
			return n, anchor
		}
		if n.Anchor != "" && anchor == nil {
			anchor = n
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return nil, anchor
}

// aliasError names the alias (what would expand), or the anchor when the
// file has no alias.
func aliasError(name string, alias, anchor *yaml.Node) error {
	if alias != nil {
		return &LoadError{File: name, Line: alias.Line, Interaction: -1,
			Msg: fmt.Sprintf("YAML alias *%s: cassettes are written without aliases (go-vcr never writes them); refusing it", alias.Value), Err: errAliasInvalid}
	}
	return &LoadError{File: name, Line: anchor.Line, Interaction: -1,
		Msg: fmt.Sprintf("YAML anchor &%s: cassettes are written without anchors (go-vcr never writes them); refusing it", anchor.Anchor), Err: errAliasInvalid}
}

func yamlError(name string, err error, kind error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if len(te.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
		}
	}
	line := 0
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	return &LoadError{File: name, Line: line, Interaction: -1, Msg: msg, Err: kind}
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// fieldLine finds the line of a dotted field ("request.method") inside an
// interaction's node, for a precise error position: the deepest part of the
// field that is present.
func fieldLine(n *yaml.Node, field string) int {
	line := 0
	for part := range strings.SplitSeq(field, ".") {
		if n == nil || n.Kind != yaml.MappingNode || part == "" {
			break
		}
		if n = mappingValue(n, part); n != nil {
			line = n.Line
		}
	}
	return line
}

type interactionError struct{ field, msg string }

func validateInteraction(in *cassette.Interaction) *interactionError {
	if in == nil {
		return &interactionError{"", "interaction is empty"}
	}
	req, resp := &in.Request, &in.Response
	switch {
	case req.Method == "":
		return &interactionError{"request.method", "request.method is empty"}
	case !isToken(req.Method):
		return &interactionError{"request.method", fmt.Sprintf("request.method %q is not an HTTP method", req.Method)}
	case req.URL == "":
		return &interactionError{"request.url", "request.url is empty"}
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return &interactionError{"request.url", fmt.Sprintf("request.url %q does not parse: %v", req.URL, unwrapURLError(err))}
	}
	if u.Opaque != "" {
		return &interactionError{"request.url", fmt.Sprintf("request.url %q is not an http(s) URL", req.URL)}
	}
	if resp.Code < 100 || resp.Code > 999 {
		return &interactionError{"response.code", fmt.Sprintf("response.code %d is not an HTTP status", resp.Code)}
	}
	return nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isToken reports whether s is an RFC 9110 token, as an HTTP method must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}
