package config_test

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/config"
)

var (
	fuzzNameRE      = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	fuzzToleranceRE = regexp.MustCompile(`^([0-9]+|[0-9]+(\.[0-9]{1,2})?%)$`)
)

// FuzzParse feeds arbitrary bytes to the config parser (the file comes from
// the pull request under test): it must never panic, every error must be a
// located *Error wrapping ErrInvalid, and whatever it accepts must hold what
// the Config type promises. Seeds live in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("error %v (%T) is not an *Error wrapping ErrInvalid", err, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if len(cfg.Scenarios) == 0 {
			t.Fatal("accepted a config with no scenarios")
		}
		if !fuzzToleranceRE.MatchString(cfg.Tolerance) || cfg.Timeout <= 0 || !filepath.IsAbs(cfg.Budget) {
			t.Fatalf("bad settings: %+v", cfg)
		}
		seen := map[string]bool{}
		for _, s := range cfg.Scenarios {
			if !fuzzNameRE.MatchString(s.Name) || s.Name == "." || s.Name == ".." || seen[s.Name] {
				t.Fatalf("bad or repeated name %q", s.Name)
			}
			seen[s.Name] = true
			if !filepath.IsAbs(s.Cassette) || strings.TrimSpace(s.Run) == "" || s.Timeout <= 0 || s.Line <= 0 {
				t.Fatalf("bad scenario %+v", s)
			}
			if s.Tolerance != "" && !fuzzToleranceRE.MatchString(s.Tolerance) {
				t.Fatalf("bad tolerance %q", s.Tolerance)
			}
			for _, h := range s.InterceptHosts {
				if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, ":/ ") || s.NoIntercept {
					t.Fatalf("bad intercept host %q (intercept off: %v)", h, s.NoIntercept)
				}
			}
		}
		if got, err := cfg.Select([]string{cfg.Scenarios[0].Name}); err != nil || len(got) != 1 {
			t.Fatalf("Select(first) = %v, %v", got, err)
		}
	})
}
