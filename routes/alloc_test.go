//go:build !race

package routes_test

import (
	"testing"

	"github.com/callbudget/callbudget/routes"
)

// TestLookupAllocs: naming a request the table knows, with no escape in its
// path, allocates nothing, in any product (the race detector's own
// allocations would count, hence the build tag).
func TestLookupAllocs(t *testing.T) {
	for _, p := range products {
		for _, bp := range benchPaths {
			r := routes.LookupIn(p, bp.method, bp.path)
			if !r.Known {
				continue // fallbacks build their template
			}
			if n := testing.AllocsPerRun(20, func() { routes.LookupIn(p, bp.method, bp.path) }); n != 0 {
				t.Errorf("LookupIn(%v, %s, %s): %v allocations", p, bp.method, bp.path, n)
			}
		}
	}
	if n := testing.AllocsPerRun(20, func() { routes.Lookup("GET", "/repos/o/r/pulls/1") }); n != 0 {
		t.Errorf("Lookup: %v allocations", n)
	}
}
