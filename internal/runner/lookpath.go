package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// lookPath finds the program name in path, a PATH value, as exec.LookPath
// does in the tool's own PATH. A name with a slash is used as it is
// (relative to the job's Dir). Relative PATH entries are skipped, for the
// reason exec.ErrDot exists: they would run whatever the working
// directory holds under that name.
func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}
