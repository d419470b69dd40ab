package replay_test

import (
	"testing"

	"github.com/callbudget/callbudget/replay"
)

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "/repos/o/r/pulls/1", "/repos/o/r/pulls/1"},
		{"root", "/", "/"},
		{"empty", "", "/"},
		{"no leading slash", "repos/o/r", "/repos/o/r"},
		{"trailing slash (octokit drops it, others keep it)", "/repos/o/r/", "/repos/o/r"},
		{"enterprise prefix", "/api/v3/repos/o/r/pulls/1", "/repos/o/r/pulls/1"},
		{"enterprise root", "/api/v3/", "/"},
		{"enterprise root without slash", "/api/v3", "/"},
		{"enterprise graphql", "/api/graphql", "/graphql"},
		{"enterprise uploads", "/api/uploads/repos/o/r/releases/1/assets", "/repos/o/r/releases/1/assets"},
		{"doubled slashes from a base URL ending in /", "//repos//o/r", "/repos/o/r"},
		{"prefix and slashes together", "/api/v3//repos/o/r/", "/repos/o/r"},
		{"prefix twice", "/api/v3/api/v3/user", "/user"},
		{"not a prefix", "/apis/x", "/apis/x"},
		{"decoded slash in a ref stays", "/repos/o/r/git/ref/heads/feature/x", "/repos/o/r/git/ref/heads/feature/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := replay.NormalizePath(tt.in); got != tt.want {
				t.Errorf("NormalizePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"one pair", "page=2", "page=2"},
		{"sorted", "per_page=100&page=2", "page=2&per_page=100"},
		{"order of one name kept", "labels=b&labels=a&page=1", "labels=b&labels=a&page=1"},
		{"percent-encoding normalised", "q=repo%3Ao%2Fr+is%3Apr", "q=repo%3Ao%2Fr+is%3Apr"},
		{"needless escapes decoded", "ref=%6Dain", "ref=main"},
		{"space as %20 or +", "q=a%20b", "q=a+b"},
		{"empty pieces dropped", "&page=2&&per_page=1&", "page=2&per_page=1"},
		{"name without value", "draft", "draft="},
		{"bad escape kept as it is", "q=%zz&a=1", "q=%zz&a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := replay.NormalizeQuery(tt.in); got != tt.want {
				t.Errorf("NormalizeQuery(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
