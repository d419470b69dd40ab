package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/yamlbound"
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
// node it is inside (which would expand forever).
func checkExpansion(name string, root *yaml.Node, size int) error {
	ex := yamlbound.Check(root, size, yamlbound.Limits{
		NodeFactor: expansionFactor, MinNodes: minExpandedNodes,
		TextFactor: textFactor, MinText: minExpandedText,
	})
	if ex == nil {
		return nil
	}
	return &Error{File: name, Line: ex.Alias.Line, Entry: -1, Msg: fmt.Sprintf("YAML alias *%s: %s; refusing it", ex.Alias.Value, ex.Reason("document")), Err: ErrInvalid}
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
