package gqlcost

import (
	"errors"
	"fmt"
)

// The kinds of error [Analyze] returns, for [errors.Is]. Each comes wrapped
// with what is wrong, and in a [*PosError] when a place in the query text
// can be named.
var (
	// ErrSyntax: the text is not a GraphQL document.
	ErrSyntax = errors.New("graphql syntax error")
	// ErrOperation: no operation can be chosen (none in the document, the
	// one named is not there, or several and no operationName).
	ErrOperation = errors.New("graphql operation not chosen")
	// ErrFragment: a fragment spread that cannot be expanded (not
	// defined, defined twice, or spreading itself).
	ErrFragment = errors.New("graphql fragment error")
	// ErrTooLarge: the operation expands past [MaxExpansion], or the
	// text has more than [MaxTokens] tokens.
	ErrTooLarge = errors.New("graphql document too large")
)

// PosError is an error at a line and column of the query text (both from
// 1, columns counted in runes, as GraphQL error locations are).
type PosError struct {
	Line, Column int
	Msg          string
	Err          error // one of the Err values above
}

func (e *PosError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Unwrap returns the kind of error, so errors.Is(err, ErrSyntax) works.
func (e *PosError) Unwrap() error { return e.Err }
