package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/callbudget/callbudget/report"
)

// progress is what check, update and record print on stderr while
// scenarios run, so that a run that compiles for a minute shows something
// at once: a line as each scenario starts and one as it ends, each
// scenario's own output line by line with its name in front (scenarios run
// at once, and their lines must not mix), and on a terminal a status line
// of the scenarios still running, redrawn in place and cleared before any
// other line is written.
//
// Every write to the stream goes through it while scenarios run, one whole
// line at a time, so nothing else may write to that stream meanwhile.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	lines bool // the start and end lines; off with --quiet
	// live redraws the status line: stderr is a terminal, and neither
	// --quiet, NO_COLOR, CI nor GITHUB_ACTIONS says otherwise.
	live    bool
	width   func() int // the terminal's columns
	now     func() time.Time
	pad     int // the longest scenario name, in runes, for the output prefix
	running []runningScenario
	shown   bool // a status line is on the screen
	stop    chan struct{}
	stopped chan struct{}
}

type runningScenario struct {
	name  string
	since time.Time
}

// progressOptions configures newProgress.
type progressOptions struct {
	Lines bool
	// Live, when set, redraws a status line every Tick; Width gives the
	// terminal's columns (80 when nil or not positive).
	Live  bool
	Width func() int
	Tick  time.Duration
	Now   func() time.Time
	// Names are the scenarios that will run, for aligning the prefixes
	// of their output.
	Names []string
}

// statusTick is how often the status line is redrawn: its times are in
// whole seconds.
const statusTick = time.Second

// maxLine is the longest scenario output line held back for its newline;
// a longer one is written in pieces.
const maxLine = 64 << 10

func newProgress(w io.Writer, o progressOptions) *progress {
	p := &progress{w: w, lines: o.Lines, live: o.Live, width: o.Width, now: o.Now}
	if p.now == nil {
		p.now = time.Now
	}
	for _, n := range o.Names {
		p.pad = max(p.pad, utf8.RuneCountInString(report.Visible(n)))
	}
	if p.live {
		tick := o.Tick
		if tick <= 0 {
			tick = statusTick
		}
		p.stop, p.stopped = make(chan struct{}), make(chan struct{})
		go p.redrawEvery(tick)
	}
	return p
}

// scenarioProgress is the progress of check's or update's run of the
// named scenarios, on the tool's stderr or, when w is not nil, on w (the
// fence inside GitHub Actions).
func (a *app) scenarioProgress(w io.Writer, names []string) *progress {
	if w == nil {
		w = a.stderr
	}
	quiet := a.v.GetBool("quiet")
	width, tty := terminalWidth(a.stderr)
	return newProgress(w, progressOptions{
		Lines: !quiet,
		Live:  tty && !quiet && a.statusAllowed(),
		Width: width,
		Names: names,
	})
}

// statusAllowed says whether the environment lets a status line be
// redrawn with escape sequences: not with NO_COLOR (https://no-color.org),
// a dumb terminal, or in CI, where the log is a file.
func (a *app) statusAllowed() bool {
	return a.env.get("NO_COLOR") == "" && a.env.get("TERM") != "dumb" &&
		a.env.get("CI") != "true" && a.env.get("GITHUB_ACTIONS") != "true"
}

// start says that a scenario has started.
func (p *progress) start(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, runningScenario{name: name, since: p.now()})
	if p.lines {
		p.write("callbudget: " + report.Visible(name) + ": started\n")
	}
	p.redraw()
}

// end says that a scenario has ended: what it counted, how long it ran
// and its outcome ("ok", "over", "error", "9 interactions written" …).
func (p *progress) end(name string, calls int, took time.Duration, outcome string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.running {
		if r.name == name {
			p.running = append(p.running[:i], p.running[i+1:]...)
			break
		}
	}
	if p.lines {
		p.write(endLine(name, calls, took, outcome))
	}
	p.redraw()
}

// endLine is "callbudget: pr-opened: 9 calls in 1.3s (ok)\n".
func endLine(name string, calls int, took time.Duration, outcome string) string {
	noun := "calls"
	if calls == 1 {
		noun = "call"
	}
	return fmt.Sprintf("callbudget: %s: %d %s in %s (%s)\n", report.Visible(name), calls, noun, duration(took), outcome)
}

// duration is a wall time as the progress lines print it: tenths of a
// second under a minute (1.3s), whole seconds from then on (2m5s).
func duration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// close stops the status line and clears it; p writes nothing after.
func (p *progress) close() {
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.running = nil
	p.live = false
}

// output is the writer for a scenario's stdout and stderr: each line it
// is given is written whole, with "NAME | " in front. flush writes what is
// left of a last line without its newline.
func (p *progress) output(name string) *outputWriter {
	v := report.Visible(name)
	pad := strings.Repeat(" ", max(0, p.pad-utf8.RuneCountInString(v)))
	return &outputWriter{p: p, prefix: v + pad + " | "}
}

type outputWriter struct {
	p       *progress
	prefix  string
	partial []byte
}

// Write never fails: a stderr that cannot be written to must not stop
// the scenario, whose counts are what matters.
func (o *outputWriter) Write(b []byte) (int, error) {
	o.p.mu.Lock()
	defer o.p.mu.Unlock()
	n := len(b)
	var out bytes.Buffer
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			for len(o.partial) >= maxLine {
				o.line(&out, o.partial[:maxLine])
				o.partial = append(o.partial[:0], o.partial[maxLine:]...)
			}
			break
		}
		if len(o.partial) > 0 {
			o.partial = append(o.partial, b[:i]...)
			o.line(&out, o.partial)
			o.partial = o.partial[:0]
		} else {
			o.line(&out, b[:i])
		}
		b = b[i+1:]
	}
	if out.Len() > 0 {
		o.p.write(out.String())
		o.p.redraw()
	}
	return n, nil
}

func (o *outputWriter) line(out *bytes.Buffer, l []byte) {
	out.WriteString(o.prefix)
	out.Write(l)
	out.WriteByte('\n')
}

func (o *outputWriter) flush() {
	o.p.mu.Lock()
	defer o.p.mu.Unlock()
	if len(o.partial) == 0 {
		return
	}
	var out bytes.Buffer
	o.line(&out, o.partial)
	o.partial = nil
	o.p.write(out.String())
	o.p.redraw()
}

// write writes s, clearing the status line first; p.mu is held.
func (p *progress) write(s string) {
	p.clear()
	io.WriteString(p.w, s) // progress is best effort, like the output it carries
}

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, clearLine)
		p.shown = false
	}
}

// redraw shows the status line of the scenarios running, if there are
// any and p is live; p.mu is held.
func (p *progress) redraw() {
	if !p.live {
		return
	}
	line := statusLine(p.running, p.now(), p.columns())
	if line == "" {
		p.clear()
		return
	}
	io.WriteString(p.w, "\r"+line+"\x1b[K")
	p.shown = true
}

func (p *progress) columns() int {
	if p.width != nil {
		if w := p.width(); w > 0 {
			return w
		}
	}
	return 80
}

func (p *progress) redrawEvery(tick time.Duration) {
	defer close(p.stopped)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

// statusLine is "running: pr-opened 12s, pr-synchronize 11s", fitted in
// width-1 columns (a line that wraps cannot be redrawn in place) by
// naming fewer scenarios ("running: pr-opened 12s, +1 more"); "" when
// nothing runs.
func statusLine(running []runningScenario, now time.Time, width int) string {
	if len(running) == 0 {
		return ""
	}
	parts := make([]string, len(running))
	for i, r := range running {
		parts[i] = report.Visible(r.name) + " " + now.Sub(r.since).Truncate(time.Second).String()
	}
	limit := max(width-1, 10)
	for k := len(parts); k >= 0; k-- {
		line := "running: " + strings.Join(parts[:k], ", ")
		if k < len(parts) {
			if k > 0 {
				line += ", "
			}
			line += fmt.Sprintf("+%d more", len(parts)-k)
		}
		if utf8.RuneCountInString(line) <= limit {
			return line
		}
	}
	return string([]rune("running: +")[:limit-1]) + "…"
}
