package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// parseYAMLNode parses data into a node tree, keeping lines and key order.
// Aliases stay aliases: nothing is expanded here.
func parseYAMLNode(name string, data []byte) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	return &root, nil
}

// parseYAML is parseYAMLNode plus a bound on what the document's aliases
// expand to (checkExpansion), checked before anything walks the tree.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	root, err := parseYAMLNode(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkExpansion(name, root, len(data)); err != nil {
		return nil, err
	}
	return root, nil
}

// Bounds on what a document's aliases may make it stand for. PyYAML,
// which writes vcrpy and requre files, gives an object it meets twice an
// anchor and names it again with an alias (&id001 … *id001), so aliases
// are normal here and are not refused; a document that stands for far
// more than it holds is. Its expanded tree may have expansionFactor times
// its own nodes (and at least minExpandedNodes), and its expanded scalars
// textFactor times its size (and at least minExpandedText bytes: what the
// largest cassette may hold), since the converted cassette is written out
// and parsed again at that size.
const (
	expansionFactor  = 10
	minExpandedNodes = 1_000_000
	textFactor       = 4
	minExpandedText  = 64 << 20
)

// checkExpansion refuses a document whose aliases expand past the bounds
// above, naming the alias that crosses them, or one whose alias names a
// node it is inside (which would expand forever). The cost is linear in
// the tree's own size: each anchored node's expansion is computed once.
func checkExpansion(name string, root *yaml.Node, size int) error {
	own := countNodes(root)
	e := &expansion{
		maxNodes: max(expansionFactor*own, minExpandedNodes),
		maxText:  max(textFactor*int64(size), minExpandedText),
		memo:     map[*yaml.Node]expandedSize{},
		open:     map[*yaml.Node]bool{},
	}
	a, err := e.walk(root)
	if err == nil {
		return nil
	}
	what := fmt.Sprintf("excessive aliasing: with its aliases expanded the document has over %d nodes (%d of its own)", e.maxNodes, own)
	switch {
	case errors.Is(err, errRecursiveAlias):
		what = "a recursive alias: it names a node it is inside, so it never ends"
	case e.total.text > e.maxText:
		what = fmt.Sprintf("excessive aliasing: with its aliases expanded the document holds over %d bytes of text (the file is %d)", e.maxText, size)
	}
	return &Error{File: name, Line: a.Line, Entry: -1, Msg: fmt.Sprintf("YAML alias *%s: %s; refusing it", a.Value, what), Err: ErrInvalid}
}

var (
	errRecursiveAlias = errors.New("recursive alias")
	errOverBound      = errors.New("expansion over the bound")
)

// expandedSize is what a node stands for with its aliases expanded: nodes
// and bytes of scalar text, each saturating just past its bound.
type expandedSize struct{ nodes, text int64 }

type expansion struct {
	maxNodes, maxText int64
	total             expandedSize                // of the walk so far
	memo              map[*yaml.Node]expandedSize // anchored nodes, once sized
	open              map[*yaml.Node]bool         // anchored nodes being sized
}

func (e *expansion) add(a, b expandedSize) expandedSize {
	return expandedSize{min(a.nodes+b.nodes, e.maxNodes+1), min(a.text+b.text, e.maxText+1)}
}

func (e *expansion) over(s expandedSize) bool { return s.nodes > e.maxNodes || s.text > e.maxText }

// walk adds up the document in order and returns the alias at which the
// total crosses a bound (only an alias can: the document's own nodes and
// text are well within them).
func (e *expansion) walk(n *yaml.Node) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		s, err := e.size(n)
		e.total = e.add(e.total, s)
		if err == nil && e.over(e.total) {
			err = errOverBound
		}
		if err != nil {
			return n, err
		}
		return nil, nil
	}
	e.total = e.add(e.total, expandedSize{1, int64(len(n.Value))})
	for _, c := range n.Content {
		if a, err := e.walk(c); err != nil {
			return a, err
		}
	}
	return nil, nil
}

// size is what n stands for, aliases expanded.
func (e *expansion) size(n *yaml.Node) (expandedSize, error) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return expandedSize{1, 0}, nil
		}
		n = n.Alias
	}
	if n.Anchor != "" {
		if s, ok := e.memo[n]; ok {
			return s, nil
		}
		if e.open[n] {
			return expandedSize{}, errRecursiveAlias
		}
		e.open[n] = true
		defer delete(e.open, n)
	}
	s := expandedSize{1, int64(len(n.Value))}
	for _, c := range n.Content {
		cs, err := e.size(c)
		if err != nil {
			return s, err
		}
		if s = e.add(s, cs); e.over(s) {
			break // saturated: the rest cannot bring it back
		}
	}
	if n.Anchor != "" {
		e.memo[n] = s
	}
	return s, nil
}

// countNodes counts the tree's own nodes, an alias as one.
func countNodes(n *yaml.Node) int64 {
	c := int64(1)
	for _, ch := range n.Content {
		c += countNodes(ch)
	}
	return c
}

func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if asTypeError(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 0
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	return &Error{File: name, Line: line, Entry: -1, Msg: "not valid YAML: " + msg, Err: ErrInvalid}
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}

func docNode(root *yaml.Node) *yaml.Node {
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		return deref(root.Content[0])
	}
	return deref(root)
}

// deref follows an alias to the node its anchor names.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// mapValue is the value of key in mapping m (nil when m is not a mapping
// or has no such key).
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// scalarText is a scalar's text, with !!binary decoded to its bytes.
func scalarText(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	switch n.Tag {
	case "!!null":
		return "", true
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return n.Value, true
		}
		return string(b), true
	}
	return n.Value, true
}

// writeJSON encodes n as JSON, keeping mapping keys in file order (as
// Python's json module wrote them before requre parsed the body).
func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	n = deref(n)
	if n == nil {
		b.WriteString("null")
		return nil
	}
	if depth > 10000 {
		return fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := scalarText(n.Content[i])
			writeString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		writeScalar(b, n)
	default:
		b.WriteString("null")
	}
	return nil
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) {
	switch n.Tag {
	case "!!null":
		b.WriteString("null")
		return
	case "!!bool":
		var v bool
		if n.Decode(&v) == nil {
			b.WriteString(strconv.FormatBool(v))
			return
		}
	case "!!int":
		if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			b.WriteString(n.Value)
			return
		}
		var v any
		if n.Decode(&v) == nil {
			if out, err := json.Marshal(v); err == nil {
				b.Write(out)
				return
			}
		}
	case "!!float":
		var v float64
		if n.Decode(&v) == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			if isJSONNumber(n.Value) {
				b.WriteString(n.Value)
			} else {
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
			return
		}
		b.WriteString("null") // JSON has no NaN or infinity
		return
	}
	s, _ := scalarText(n)
	writeString(b, s)
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func isJSONNumber(s string) bool { return jsonNumberRE.MatchString(s) }

// writeString writes s as a JSON string without escaping <, > and &, as
// Python's json module (and GitHub) write them.
func writeString(b *bytes.Buffer, s string) {
	var sb bytes.Buffer
	e := json.NewEncoder(&sb)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(sb.Bytes(), []byte("\n")))
}

// yamlMapping parses the input as YAML whose document is a mapping, as
// requre and vcrpy files are; anything else is not format f (why says
// what it should have been).
func (c *convertState) yamlMapping(f Format, why string) (*yaml.Node, error) {
	root, err := parseYAML(c.name, c.data)
	if err != nil {
		return nil, err
	}
	doc := docNode(root)
	if doc == nil || doc.Kind != yaml.MappingNode {
		line := 0
		if doc != nil {
			line = doc.Line
		}
		return nil, notFormat(c.name, c.data, f, line, why)
	}
	return doc, nil
}
