package harden

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Process makes the calling process non-dumpable: its /proc/<pid> files
// (environ, mem, maps, fd …) become root's, and ptrace attach is refused
// to processes without CAP_SYS_PTRACE. It lasts until the process execs,
// so the commands it starts are not affected.
func Process() error {
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}

// Dumpable reports the process's dumpable setting (PR_GET_DUMPABLE).
func Dumpable() (bool, error) {
	v, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return v != 0, err
}

// ScrubEnviron unsets every variable of the process's environment that
// secret names, and overwrites its value with zero bytes in the initial
// environment block (the one /proc/self/environ reads: mm->env_start to
// env_end, found in /proc/self/stat and written through /proc/self/mem).
// The values must have been copied by the caller first (os.Environ). It
// returns the names it removed.
func ScrubEnviron(secret func(name string) bool) ([]string, error) {
	var names []string
	for _, kv := range os.Environ() {
		k, _, ok := strings.Cut(kv, "=")
		if ok && k != "" && secret(k) {
			names = append(names, k)
			os.Unsetenv(k)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	start, end, err := envBlock()
	if err != nil {
		return names, err
	}
	mem, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
	if err != nil {
		return names, err
	}
	defer mem.Close()
	block := make([]byte, end-start)
	if _, err := mem.ReadAt(block, int64(start)); err != nil {
		return names, fmt.Errorf("read the environment block: %w", err)
	}
	off := 0
	for _, kv := range bytes.Split(block, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte("=")); ok && len(k) > 0 && secret(string(k)) && len(v) > 0 {
			at := off + len(k) + 1
			if _, err := mem.WriteAt(make([]byte, len(v)), int64(start+uint64(at))); err != nil {
				return names, fmt.Errorf("overwrite %s in the environment block: %w", k, err)
			}
		}
		off += len(kv) + 1
	}
	return names, nil
}

// envBlock returns the bounds of the process's initial environment, fields
// 50 and 51 of /proc/self/stat (Linux 3.5 and later).
func envBlock() (start, end uint64, err error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold anything, start with the state (field 3).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, errors.New("/proc/self/stat: no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	const envStart = 50 - 3
	if len(f) <= envStart+1 {
		return 0, 0, errors.New("/proc/self/stat: no env_start and env_end (Linux before 3.5)")
	}
	if start, err = strconv.ParseUint(f[envStart], 10, 64); err == nil {
		end, err = strconv.ParseUint(f[envStart+1], 10, 64)
	}
	if err != nil || end < start || end-start > 64<<20 {
		return 0, 0, fmt.Errorf("/proc/self/stat: bad environment bounds %q %q", f[envStart], f[envStart+1])
	}
	return start, end, nil
}
