package gqlcost

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

// pageSize reports whether m is a connection (it has a first or last
// argument) and how many nodes GitHub assumes it returns: its first or
// last, the larger if both, within 0..MaxPage. path names m in notes.
func (a *analysis) pageSize(m *merged, path []string) (int64, bool) {
	var size int64
	conn := false
	for _, f := range m.fields {
		var got []string
		for _, arg := range f.Arguments {
			if arg.Name != "first" && arg.Name != "last" {
				continue
			}
			conn = true
			got = append(got, arg.Name)
			if n := a.argValue(arg, path); n > size {
				size = n
			}
		}
		if len(got) > 1 {
			a.note(path, strings.Join(got, " and ")+" both given: the larger counted", true)
		}
	}
	return size, conn
}

// argValue is the value of a first or last argument, as GitHub would
// count it.
func (a *analysis) argValue(arg *ast.Argument, path []string) int64 {
	v := arg.Value
	what := arg.Name
	if v.Kind == ast.Variable {
		what = fmt.Sprintf("%s from $%s", arg.Name, v.Raw)
		x, given := a.vars[v.Raw]
		if !given {
			def := a.op.VariableDefinitions.ForName(v.Raw)
			if def == nil || def.DefaultValue == nil {
				a.note(path, fmt.Sprintf("%s: not given, %d assumed", what, MaxPage), true)
				return MaxPage
			}
			what += " (its default)"
			v = def.DefaultValue
		} else {
			n, ok := number(x)
			if !ok {
				a.note(path, fmt.Sprintf("%s: %s is not a whole number, %d assumed", what, describe(x), MaxPage), true)
				return MaxPage
			}
			return a.clamp(n, strconv.FormatInt(n, 10), what, path)
		}
	}
	switch v.Kind {
	case ast.IntValue:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil { // out of int64's range
			if strings.HasPrefix(v.Raw, "-") {
				n = math.MinInt64
			} else {
				n = math.MaxInt64
			}
		}
		return a.clamp(n, v.Raw, what, path)
	case ast.FloatValue:
		if f, err := strconv.ParseFloat(v.Raw, 64); err == nil {
			if n, ok := number(f); ok {
				return a.clamp(n, v.Raw, what, path)
			}
		}
	}
	a.note(path, fmt.Sprintf("%s: %s is not a whole number, %d assumed", what, literal(v), MaxPage), true)
	return MaxPage
}

// clamp keeps n, written as written, within what GitHub accepts, noting
// a value it refuses.
func (a *analysis) clamp(n int64, written, what string, path []string) int64 {
	written = truncate(written, 40)
	switch {
	case n > MaxPage:
		a.note(path, fmt.Sprintf("%s: %s is over GitHub's maximum (GitHub refuses it), %d counted", what, written, MaxPage), true)
		return MaxPage
	case n < 0:
		a.note(path, fmt.Sprintf("%s: %s is negative (GitHub refuses it), 0 counted", what, written), true)
		return 0
	}
	return n
}

// number reads a decoded JSON number (or any Go number) that is whole.
func number(x any) (int64, bool) {
	switch n := x.(type) {
	case float64:
		return wholeFloat(n)
	case float32:
		return wholeFloat(float64(n))
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return wholeFloat(f)
		}
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return clampUint(uint64(n)), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return clampUint(n), true
	}
	return 0, false
}

func wholeFloat(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, false
	}
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64, true
	case f <= math.MinInt64:
		return math.MinInt64, true
	}
	return int64(f), true
}

func clampUint(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}

// describe shows a variable's value in a note, in bounded time whatever
// its size.
func describe(x any) string {
	switch v := x.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(truncate(v, 40))
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", x)
}

// literal shows a literal value in a note, likewise.
func literal(v *ast.Value) string {
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		return strconv.Quote(truncate(v.Raw, 40))
	case ast.ListValue:
		return "a list"
	case ast.ObjectValue:
		return "an object"
	}
	return truncate(v.Raw, 40)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut at a rune boundary within the first n bytes.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (a *analysis) note(path []string, msg string, estimate bool) {
	s := strings.Join(path, ".") + ": " + msg
	if estimate {
		a.estimated = true
	}
	if a.noted[s] {
		return
	}
	if a.noted == nil {
		a.noted = map[string]bool{}
	}
	a.noted[s] = true
	a.notes = append(a.notes, s)
}

// skipped reports whether @skip or @include leaves a selection out. A
// condition that cannot be read (a variable not given) keeps it in: the
// cost is then an upper bound.
func (a *analysis) skipped(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil || arg.Value == nil {
			continue
		}
		cond, ok := a.boolean(arg.Value)
		if !ok {
			continue
		}
		if (d.Name == "skip") == cond {
			return true
		}
	}
	return false
}

func (a *analysis) boolean(v *ast.Value) (bool, bool) {
	if v.Kind == ast.Variable {
		if x, given := a.vars[v.Raw]; given {
			b, ok := x.(bool)
			return b, ok
		}
		def := a.op.VariableDefinitions.ForName(v.Raw)
		if def == nil || def.DefaultValue == nil {
			return false, false
		}
		v = def.DefaultValue
	}
	if v.Kind == ast.BooleanValue {
		return v.Raw == "true", true
	}
	return false, false
}
