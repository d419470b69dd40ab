package runner

import (
	"bytes"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// BecomeSubreaper makes the calling process the reaper of its orphaned
// descendants (prctl PR_SET_CHILD_SUBREAPER): a process a scenario leaves
// behind that also left the process group (setsid, a double fork) is
// re-parented to callbudget instead of init, so that [KillDescendants]
// can still find it. The callbudget command calls it at start; it is
// process-wide and cannot be undone.
func BecomeSubreaper() error {
	err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	subreaper.Store(err == nil)
	return err
}

// subreaper is set once BecomeSubreaper succeeded: KillDescendants
// sweeps only then, so that a test process running commands of several
// tests at once is never swept.
var subreaper atomic.Bool

// proc is one process as /proc shows it.
type proc struct {
	pid, ppid int
	zombie    bool
}

// listProcs reads every process's parent and state from /proc.
func listProcs() []proc {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	procs := make([]proc, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		stat, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) {
			continue
		}
		f := bytes.Fields(stat[i+2:])
		if len(f) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(string(f[1]))
		if err != nil {
			continue
		}
		procs = append(procs, proc{pid: pid, ppid: ppid, zombie: f[0][0] == 'Z' || f[0][0] == 'X'})
	}
	return procs
}

// descendants returns the processes below root in procs (root excluded),
// following parent links.
func descendants(procs []proc, roots map[int]bool) []proc {
	children := map[int][]proc{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []proc
	seen := map[int]bool{}
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			if !seen[c.pid] {
				seen[c.pid] = true
				out = append(out, c)
				walk(c.pid)
			}
		}
	}
	for r := range roots {
		walk(r)
	}
	return out
}

// hasTag reports whether the environment process pid started with holds
// the variable kv ("CALLBUDGET_SCENARIO_RUN=…").
func hasTag(pid int, kv string) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, e := range bytes.Split(env, []byte{0}) {
		if string(e) == kv {
			return true
		}
	}
	return false
}

// killTagged kills every process that carries this scenario's tag in its
// environment, wherever it is in the process tree (a setsid'd, double-
// forked child included), and everything below them, except skip (the
// scenario's own shell, left for its exec.Cmd to reap). Each round stops
// them all first (SIGSTOP: a stopped process cannot fork), then kills them,
// and reaps those that are callbudget's own children (re-parented to it as
// the subreaper); rounds repeat until none is left.
func killTagged(tag string, skip int) {
	sweep(func(procs []proc) []proc {
		self := os.Getpid()
		roots := map[int]bool{}
		for _, p := range procs {
			if p.pid != self && p.pid != skip && !p.zombie && hasTag(p.pid, tag) {
				roots[p.pid] = true
			}
		}
		out := descendants(procs, roots)
		for _, p := range procs {
			if roots[p.pid] {
				out = append(out, p)
			}
		}
		return out
	}, skip)
}

// KillDescendants kills every process below the calling one, and reaps
// those that are its children, once [BecomeSubreaper] has made it a
// subreaper (it does nothing before). callbudget calls it once no
// scenario runs any more: whatever a scenario left behind, even a process
// that emptied its environment of the tag, is below it then.
func KillDescendants() {
	if !subreaper.Load() {
		return
	}
	sweep(func(procs []proc) []proc {
		return descendants(procs, map[int]bool{os.Getpid(): true})
	}, 0)
}

// sweep kills the processes pick chooses until it chooses none (at most
// 50 rounds: a process forking faster than it is stopped), then reaps the
// zombies among callbudget's children that pick chose.
func sweep(pick func([]proc) []proc, skip int) {
	self := os.Getpid()
	for range 50 {
		victims := pick(listProcs())
		live := 0
		for _, p := range victims {
			if p.pid == skip {
				continue
			}
			if !p.zombie {
				live++
				_ = syscall.Kill(p.pid, syscall.SIGSTOP)
			}
		}
		for _, p := range victims {
			if p.pid != skip && !p.zombie {
				_ = syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
		reaped := 0
		for _, p := range victims {
			if p.pid != skip && p.ppid == self {
				reap(p.pid)
				reaped++
			}
		}
		if live == 0 && reaped == 0 {
			return
		}
		if live > 0 && reaped == 0 {
			time.Sleep(5 * time.Millisecond) // let the kills land
		}
	}
}

// reap collects the exit status of pid, a child of this process that was
// just killed, waiting briefly for it to die.
func reap(pid int) {
	var ws syscall.WaitStatus
	for range 200 {
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if got == pid || err != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
