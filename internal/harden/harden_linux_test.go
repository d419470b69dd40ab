package harden_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/callbudget/callbudget/internal/harden"
)

const secretValue = "ghs_harden-test-secret-0123456789"

func isTestSecret(k string) bool { return k == "HARDEN_SECRET" }

func TestMain(m *testing.M) {
	switch os.Getenv("HARDEN_HELPER") {
	case "":
		os.Exit(m.Run())
	case "harden":
		kept := os.Getenv("HARDEN_SECRET")
		if _, err := harden.ScrubEnviron(isTestSecret); err != nil {
			fmt.Println("scrub:", err)
			os.Exit(1)
		}
		if err := harden.Process(); err != nil {
			fmt.Println("process:", err)
			os.Exit(1)
		}
		if d, err := harden.Dumpable(); err != nil || d {
			fmt.Println("still dumpable:", d, err)
			os.Exit(1)
		}
		if os.Getenv("HARDEN_SECRET") != "" || kept != secretValue {
			fmt.Println("unset failed or value lost")
			os.Exit(1)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin) // until the test closes stdin
	case "plain":
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
	case "read":
		// What a scenario command can do to its parent: read its
		// environment and memory files.
		pid := os.Getenv("HARDEN_PID")
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		switch {
		case err != nil:
			fmt.Println("environ: denied")
		case bytes.Contains(env, []byte(secretValue)):
			fmt.Println("environ: secret")
		default:
			fmt.Println("environ: clean")
		}
		if f, err := os.Open("/proc/" + pid + "/mem"); err != nil {
			fmt.Println("mem: denied")
		} else {
			f.Close()
			fmt.Println("mem: open")
		}
	}
	os.Exit(0)
}

// copyBinary puts the test binary where another user can run it.
func copyBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "harden-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "harden.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// asUser runs cmd as an unprivileged user when the test runs as root (a
// root reader can read anything); otherwise as the test's own user.
func asUser(cmd *exec.Cmd) {
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
}

// probe starts the helper in mode, then a reader of the same user, and
// returns what the reader saw, and what root saw in environ when the test
// is root.
func probe(t *testing.T, bin, mode string) (reader, rootEnviron string) {
	t.Helper()
	helper := exec.Command(bin)
	helper.Env = []string{"HARDEN_HELPER=" + mode, "HARDEN_SECRET=" + secretValue, "PATH=/usr/bin:/bin"}
	asUser(helper)
	stdin, err := helper.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); helper.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("helper %s: %q", mode, line)
	}
	pid := strconv.Itoa(helper.Process.Pid)
	r := exec.Command(bin)
	r.Env = []string{"HARDEN_HELPER=read", "HARDEN_PID=" + pid}
	asUser(r)
	out, err := r.CombinedOutput()
	if err != nil {
		t.Fatalf("reader: %v\n%s", err, out)
	}
	if os.Geteuid() == 0 {
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		if err != nil {
			t.Fatal(err)
		}
		rootEnviron = "clean"
		if bytes.Contains(env, []byte(secretValue)) {
			rootEnviron = "secret"
		}
	}
	return strings.TrimSpace(string(out)), rootEnviron
}

// TestProcessAndScrubEnviron: a process of the same user reads the
// secret from a plain process's /proc/<pid>/environ and can open its
// memory; from a hardened one it can do neither, and even root finds the
// secret gone from the environment block.
func TestProcessAndScrubEnviron(t *testing.T) {
	bin := copyBinary(t)
	got, _ := probe(t, bin, "plain")
	if got != "environ: secret\nmem: open" {
		t.Fatalf("plain process, reader saw %q: the test cannot tell hardening apart", got)
	}
	got, root := probe(t, bin, "harden")
	if got != "environ: denied\nmem: denied" {
		t.Errorf("hardened process, reader of the same user saw %q, want environ and mem denied", got)
	}
	if os.Geteuid() == 0 && root != "clean" {
		t.Errorf("hardened process: root still reads the secret in /proc/<pid>/environ")
	}
}
