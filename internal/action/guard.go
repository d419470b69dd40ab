package action

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// CommandFiles are the runner's per-step files: whoever writes them sets
// the step's outputs, state and job summary, and the environment and PATH
// of the job's later steps.
var CommandFiles = []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"}

// maxGuarded bounds what a Guard keeps of one file; the job summary, the
// largest, is at most 1 MiB.
const maxGuarded = 8 << 20

// Guard keeps the runner's command files as they were before scenario
// commands ran. The commands do not get the variables naming them, but
// they run as the runner's user and can list the runner's temp folder, so
// the files themselves are checked afterwards, and put back.
type Guard struct {
	files []guarded
}

type guarded struct {
	env, path string
	content   []byte
	info      os.FileInfo
	missing   bool
}

// GuardCommandFiles records the content of the command files getenv
// names.
func GuardCommandFiles(getenv func(string) string) *Guard {
	g := &Guard{}
	for _, env := range CommandFiles {
		path := getenv(env)
		if path == "" {
			continue
		}
		gf := guarded{env: env, path: path}
		fi, err := os.Lstat(path)
		switch {
		case err != nil:
			gf.missing = true
		case fi.Mode().IsRegular():
			gf.info = fi
			if gf.content, err = readGuarded(path); err != nil {
				continue // cannot be read: not ours to restore
			}
		default:
			continue
		}
		g.files = append(g.files, gf)
	}
	return g
}

func readGuarded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxGuarded+1))
	if err == nil && len(data) > maxGuarded {
		err = fmt.Errorf("larger than %d bytes", maxGuarded)
	}
	return data, err
}

// Restore puts back every command file that changed since
// GuardCommandFiles, as the same regular file with the same content (a
// file replaced by a symbolic link or another file is removed and
// written anew, so nothing is written through the link), and returns the
// variables whose files had changed.
func (g *Guard) Restore() ([]string, error) {
	var changed []string
	var firstErr error
	for i := range g.files {
		gf := &g.files[i]
		fi, err := os.Lstat(gf.path)
		if gf.missing {
			if err == nil {
				changed = append(changed, gf.env)
				if err := os.Remove(gf.path); err != nil && firstErr == nil {
					firstErr = err
				}
			}
			continue
		}
		same := err == nil && fi.Mode().IsRegular() && os.SameFile(fi, gf.info)
		if same {
			if now, err := readGuarded(gf.path); err == nil && bytes.Equal(now, gf.content) {
				continue
			}
		}
		changed = append(changed, gf.env)
		if !same {
			_ = os.Remove(gf.path)
		}
		if err := os.WriteFile(gf.path, gf.content, 0o644); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("restore %s: %w", gf.env, err)
			}
			continue
		}
		// A file written anew is another inode: the one to compare with
		// from now on.
		if fi, err := os.Lstat(gf.path); err == nil {
			gf.info = fi
		}
	}
	return changed, firstErr
}
