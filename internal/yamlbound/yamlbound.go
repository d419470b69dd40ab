// Package yamlbound bounds what a YAML document's aliases stand for, before
// anything follows them: a "billion laughs" of nested anchors and aliases
// is a small file that decodes to gigabytes. Check sizes the expanded tree
// in one pass over the document's own nodes (each anchored node's
// expansion is computed once) and names the alias at which the expansion
// crosses the bound.
//
// go-vcr cassettes and budget files never hold aliases and refuse them
// outright (replay, budget); the config (x- anchors for scenarios to
// merge) and PyYAML's recordings (&id001 … *id001 for an object met twice)
// do, and are bounded with this.
package yamlbound

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Limits are the bounds: the expanded tree may have NodeFactor times the
// document's own nodes (at least MinNodes), and its scalars TextFactor
// times the document's size in bytes (at least MinText).
type Limits struct {
	NodeFactor, MinNodes int64
	TextFactor, MinText  int64
}

// Exceeded says how a document goes past its Limits.
type Exceeded struct {
	// Alias is the alias at which the expansion crosses a bound, or the
	// recursive one.
	Alias *yaml.Node
	// Recursive: Alias names a node it is inside, so it never ends.
	Recursive bool
	// OverText: the bound crossed is the text's, not the nodes'.
	OverText          bool
	Own               int64 // the document's own nodes, an alias as one
	Size              int   // the document's size in bytes
	MaxNodes, MaxText int64
}

// Reason says what is wrong, naming the document as what ("document",
// "config"): "excessive aliasing: with its aliases expanded the config has
// over 100000 nodes (12 of its own)".
func (e *Exceeded) Reason(what string) string {
	switch {
	case e.Recursive:
		return "a recursive alias: it names a node it is inside, so it never ends"
	case e.OverText:
		return fmt.Sprintf("excessive aliasing: with its aliases expanded the %s holds over %d bytes of text (the file is %d)", what, e.MaxText, e.Size)
	}
	return fmt.Sprintf("excessive aliasing: with its aliases expanded the %s has over %d nodes (%d of its own)", what, e.MaxNodes, e.Own)
}

// Check returns nil when root (of a document of size bytes) stands for
// no more than l allows, else what is wrong.
func Check(root *yaml.Node, size int, l Limits) *Exceeded {
	own := countNodes(root)
	e := &expansion{
		maxNodes: max(l.NodeFactor*own, l.MinNodes),
		maxText:  max(l.TextFactor*int64(size), l.MinText),
		memo:     map[*yaml.Node]expandedSize{},
		open:     map[*yaml.Node]bool{},
	}
	a := e.walk(root)
	if a == nil {
		return nil
	}
	return &Exceeded{Alias: a, Recursive: e.recursive, OverText: e.total.text > e.maxText,
		Own: own, Size: size, MaxNodes: e.maxNodes, MaxText: e.maxText}
}

// expandedSize is what a node stands for with its aliases expanded: nodes
// and bytes of scalar text, each saturating just past its bound.
type expandedSize struct{ nodes, text int64 }

type expansion struct {
	maxNodes, maxText int64
	total             expandedSize                // of the walk so far
	memo              map[*yaml.Node]expandedSize // anchored nodes, once sized
	open              map[*yaml.Node]bool         // anchored nodes being sized
	recursive         bool
}

func (e *expansion) add(a, b expandedSize) expandedSize {
	return expandedSize{min(a.nodes+b.nodes, e.maxNodes+1), min(a.text+b.text, e.maxText+1)}
}

func (e *expansion) over(s expandedSize) bool { return s.nodes > e.maxNodes || s.text > e.maxText }

// walk adds up the document in order and returns the alias at which the
// total crosses a bound (only an alias can: the document's own nodes and
// text are well within them) or that is recursive, or nil.
func (e *expansion) walk(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		e.total = e.add(e.total, e.size(n))
		if e.recursive || e.over(e.total) {
			return n
		}
		return nil
	}
	e.total = e.add(e.total, expandedSize{1, int64(len(n.Value))})
	for _, c := range n.Content {
		if a := e.walk(c); a != nil {
			return a
		}
	}
	return nil
}

// size is what n stands for, aliases expanded.
func (e *expansion) size(n *yaml.Node) expandedSize {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return expandedSize{1, 0}
		}
		if e.open[n.Alias] {
			e.recursive = true
			return expandedSize{1, 0}
		}
		n = n.Alias
	}
	if n.Anchor != "" {
		if s, ok := e.memo[n]; ok {
			return s
		}
		e.open[n] = true
		defer delete(e.open, n)
	}
	s := expandedSize{1, int64(len(n.Value))}
	for _, c := range n.Content {
		if s = e.add(s, e.size(c)); e.over(s) || e.recursive {
			break // saturated (or never ending): the rest cannot bring it back
		}
	}
	if n.Anchor != "" {
		e.memo[n] = s
	}
	return s
}

// countNodes counts the tree's own nodes, an alias as one.
func countNodes(n *yaml.Node) int64 {
	c := int64(1)
	for _, ch := range n.Content {
		c += countNodes(ch)
	}
	return c
}
