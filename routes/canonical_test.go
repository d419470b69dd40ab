package routes_test

import (
	"strings"
	"testing"

	"github.com/callbudget/callbudget/routes"
)

func TestCanonicalPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"/repos/o/r/pulls/1", "/repos/o/r/pulls/1"},
		{"/repos/o/r/branches/feature%2Fx/protection", "/repos/o/r/branches/feature%2Fx/protection"},
		{"/repos/o/r/branches/feature%2fx/protection", "/repos/o/r/branches/feature%2Fx/protection"},
		{"/repos/o/r/labels/good%20first%20issue", "/repos/o/r/labels/good first issue"},
		{"/repos/o/r/contents/a%25b", "/repos/o/r/contents/a%25b"},
		{"/repos/o/r/contents/100%", "/repos/o/r/contents/100%25"},
		{"/repos/o/r/contents/%zz", "/repos/o/r/contents/%25zz"},
		{"/repos/o/r/git/ref/tags%2Fv1%2E0", "/repos/o/r/git/ref/tags%2Fv1.0"},
	} {
		if got := routes.CanonicalPath(tt.in); got != tt.want {
			t.Errorf("CanonicalPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCanonicalPath checks that canonicalising an escaped path is stable
// and keeps every slash that was inside a value escaped.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"/repos/o/r/branches/feature%2Fx", "/a%2f%25b%zz%", "/plain/path", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c := routes.CanonicalPath(p)
		if again := routes.CanonicalPath(c); again != c {
			t.Fatalf("%q → %q → %q: not stable", p, c, again)
		}
		if strings.Count(c, "/") > strings.Count(p, "/") {
			t.Fatalf("%q → %q: a slash appeared", p, c)
		}
	})
}
