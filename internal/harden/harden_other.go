//go:build !linux

package harden

import (
	"os"
	"strings"
)

// Process does nothing outside Linux.
func Process() error { return nil }

// Dumpable is true outside Linux: nothing changes it.
func Dumpable() (bool, error) { return true, nil }

// ScrubEnviron unsets the variables secret names; outside Linux the
// initial environment block is left as it is.
func ScrubEnviron(secret func(name string) bool) ([]string, error) {
	var names []string
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" && secret(k) {
			names = append(names, k)
			os.Unsetenv(k)
		}
	}
	return names, nil
}
