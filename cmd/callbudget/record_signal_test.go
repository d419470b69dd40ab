package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
)

// TestRecordSignal interrupts a real callbudget record process with
// SIGINT, as Ctrl-C in a terminal does, while its command sleeps after a
// recorded request: record must stop the command's process group and the
// proxy, exit 2 saying so, and write nothing. TestRecordInterrupt covers
// the same path in-process, by canceling the context; this one covers
// main's signal handling and the real process group.
func TestRecordSignal(t *testing.T) {
	bin := callbudgetBinary(t) // skips under -short
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing=%v", existing), func(t *testing.T) {
			t.Parallel()
			const old = "# the committed cassette\n"
			fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
			dir := t.TempDir()
			cassette := filepath.Join(dir, "c.yaml")
			if existing {
				writeFile(t, cassette, old)
			}
			pidFile := filepath.Join(t.TempDir(), "pid")

			// The test binary is the client (clientEnv); the shell then
			// writes its pid, the command's process group, and sleeps.
			cmd := exec.Command(bin, "record", "--cassette", cassette, "--upstream", fake.URL(), "--timeout", "1m", "--",
				"sh", "-c", `"$1" && echo $$ > "$2.tmp" && mv "$2.tmp" "$2" && sleep 30`, "sh", self, pidFile)
			cmd.Env = testEnv(clientEnv+"=GET /user", "GITHUB_TOKEN="+recordToken)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					<-waited
				}
			})

			pgid := waitForRequest(t, fake, pidFile, waited)
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil { // the process, not its group
				t.Fatal(err)
			}
			select {
			case err = <-waited:
			case <-time.After(15 * time.Second):
				t.Fatalf("callbudget record still running 15s after SIGINT\n%s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitError {
				t.Errorf("callbudget record after SIGINT: %v, want exit status %d\n%s", err, exitError, stderr.String())
			}
			want := "nothing written"
			if existing {
				want = "left as it was"
			}
			msg := stderr.String()
			if !strings.Contains(msg, "canceled") && !strings.Contains(msg, "interrupt") || !strings.Contains(msg, want) {
				t.Errorf("stderr does not say the run was interrupted and %q:\n%s", want, msg)
			}
			checkUntouched(t, dir, cassette, existing, old)
			if alive := groupMembers(pgid); len(alive) > 0 {
				t.Errorf("the command's process group %d outlived callbudget record: pids %v", pgid, alive)
			}
		})
	}
}

// waitForRequest waits until the fake has answered the command's request
// through the proxy and the command has written its pid, and returns it:
// the command's process group, since record starts it as a group leader.
func waitForRequest(t *testing.T, fake *fakegithub.Server, pidFile string, waited <-chan error) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if len(fake.Requests()) > 0 {
			if b, err := os.ReadFile(pidFile); err == nil {
				pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
				if err != nil {
					t.Fatalf("pid file: %v", err)
				}
				pgid, err := syscall.Getpgid(pid)
				if err != nil {
					t.Fatalf("the command %d is gone before the interrupt: %v", pid, err)
				}
				if pgid != pid {
					t.Fatalf("the command %d runs in process group %d, want its own", pid, pgid)
				}
				if pgid == syscall.Getpgrp() {
					t.Fatal("the command shares the test's process group")
				}
				return pgid
			}
		}
		select {
		case err := <-waited:
			t.Fatalf("callbudget record ended before the interrupt: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the command made no request through the proxy within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// groupMembers lists the processes of group pgid that are still running,
// waiting a few seconds for them to go. Zombies do not count: a killed
// orphan stays one until the container's init reaps it, if ever.
func groupMembers(pgid int) []int {
	var alive []int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		alive = alive[:0]
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// pid (comm) state ppid pgrp …; comm may hold spaces.
			i := bytes.LastIndexByte(stat, ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(string(stat[i+1:]))
			if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
				continue
			}
			if g, _ := strconv.Atoi(f[2]); g == pgid {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 || time.Now().After(deadline) {
			return alive
		}
	}
}
