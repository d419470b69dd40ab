package action

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/callbudget/callbudget/report"
	"github.com/sethvargo/go-githubactions"
)

// Workflow issues workflow commands and writes the runner's files (outputs,
// the job summary) through go-githubactions, turning its panics on a file
// it cannot write into errors.
type Workflow struct {
	gha    *githubactions.Action
	getenv func(string) string
}

// NewWorkflow returns a Workflow that reads the runner's file paths with
// getenv and writes workflow commands to w (the runner reads them from
// stdout and stderr alike).
func NewWorkflow(w io.Writer, getenv func(string) string) *Workflow {
	return &Workflow{gha: githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)), getenv: getenv}
}

// fileCommand runs fn, which writes to the file named by env, and returns
// its failure as an error.
func (w *Workflow) fileCommand(env string, fn func()) (err error) {
	if w.getenv(env) == "" {
		return fmt.Errorf("%s is not set", env)
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("%s: %w", env, e)
			} else {
				err = fmt.Errorf("%s: %v", env, r)
			}
		}
	}()
	fn()
	return nil
}

// Output is one step output.
type Output struct{ Name, Value string }

// SetOutputs appends the outputs to GITHUB_OUTPUT, each in the multi-line
// heredoc form (name<<DELIMITER, the value, DELIMITER), so a value may hold
// newlines. Each value has its own random delimiter, which it does not
// hold: go-githubactions' is fixed, so a value could end it early and set
// other outputs.
func (w *Workflow) SetOutputs(outs []Output) error {
	path := w.getenv("GITHUB_OUTPUT")
	if path == "" {
		return errors.New("GITHUB_OUTPUT is not set")
	}
	var b strings.Builder
	for _, o := range outs {
		if o.Name == "" || strings.ContainsAny(o.Name, "\r\n=<") {
			return fmt.Errorf("output name %q", o.Name)
		}
		delim := "ghadelimiter_" + rand.Text()
		for strings.Contains(o.Value, delim) { // cannot happen: 130 random bits
			delim = "ghadelimiter_" + rand.Text()
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	return f.Close()
}

// MaxSummaryBytes is GitHub's limit on one step's job summary.
const MaxSummaryBytes = 1 << 20

// ErrSummaryFull is returned by AppendSummary when the step's summary has
// no room left for even a note.
var ErrSummaryFull = errors.New("the job summary is full")

// SummaryRoom is how many bytes can still be added to the job summary
// file, keeping it under [MaxSummaryBytes].
func (w *Workflow) SummaryRoom() int {
	path := w.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return 0
	}
	room := MaxSummaryBytes - 1 // go-githubactions adds a newline
	if fi, err := os.Stat(path); err == nil {
		room -= int(fi.Size())
	}
	return max(room, 0)
}

// AppendSummary appends md to the job summary (GITHUB_STEP_SUMMARY). When
// it does not fit under [MaxSummaryBytes] with what the step already
// wrote, it is cut at a line break, any <details> left open is closed,
// and a note says so.
func (w *Workflow) AppendSummary(md string) error {
	md = FitMarkdown(md, w.SummaryRoom())
	if md == "" {
		return ErrSummaryFull
	}
	return w.fileCommand("GITHUB_STEP_SUMMARY", func() { w.gha.AddStepSummary(md) })
}

const truncatedNote = "\n\n**The report was cut here to fit GitHub's 1 MiB job summary**: the `report` output is the whole JSON report.\n"

// FitMarkdown returns md if it is at most room bytes, else as much of it
// as fits, cut at a line break, with open <details> closed and a note; ""
// when not even the note fits.
func FitMarkdown(md string, room int) string {
	if len(md) <= room {
		return md
	}
	const closer = "\n</details>"
	for limit := room - len(truncatedNote); limit > 0; {
		i := strings.LastIndexByte(md[:min(limit, len(md))], '\n')
		if i < 0 {
			break
		}
		cut := md[:i]
		open := max(strings.Count(cut, "<details")-strings.Count(cut, "</details>"), 0)
		out := cut + strings.Repeat(closer, open) + truncatedNote
		if len(out) <= room {
			return out
		}
		limit = i - (len(out) - room)
	}
	if len(truncatedNote) <= room {
		return truncatedNote
	}
	return ""
}

// Annotation is an ::error, ::warning or ::notice workflow command.
type Annotation struct {
	Level string // "error", "warning" or "notice"
	// File and Line place it; File is relative to the workspace. Line 0
	// and File "" leave it unplaced.
	File  string
	Line  int
	Title string
	// Message is one line or more; Annotate escapes it.
	Message string
}

// Annotate issues the annotations. Properties and message are escaped by
// go-githubactions (% CR LF, and in properties : and ,); control and
// format characters that came from a cassette are shown as escapes first,
// so a message cannot reorder or hide text.
func (w *Workflow) Annotate(anns []Annotation) {
	for _, a := range anns {
		props := map[string]string{}
		if a.File != "" {
			props["file"] = a.File
			if a.Line > 0 {
				props["line"] = strconv.Itoa(a.Line)
			}
		}
		if a.Title != "" {
			props["title"] = Visible(a.Title)
		}
		g := w.gha
		if len(props) > 0 {
			g = g.WithFieldsMap(props)
		}
		msg := Visible(a.Message)
		switch a.Level {
		case "error":
			g.Errorf("%s", msg)
		case "notice":
			g.Noticef("%s", msg)
		default:
			g.Warningf("%s", msg)
		}
	}
}

// Warning issues one ::warning with no place.
func (w *Workflow) Warning(format string, args ...any) {
	w.gha.Warningf("%s", Visible(fmt.Sprintf(format, args...)))
}

// Error issues one ::error with no place.
func (w *Workflow) Error(format string, args ...any) {
	w.gha.Errorf("%s", Visible(fmt.Sprintf(format, args...)))
}

// Notice issues one ::notice with no place.
func (w *Workflow) Notice(format string, args ...any) {
	w.gha.Noticef("%s", Visible(fmt.Sprintf(format, args...)))
}

// Visible shows control and format characters (line breaks, bidi
// overrides, zero-width characters) and bytes that are not UTF-8 as
// escapes, so an annotation is one line of text in reading order whatever
// a cassette or a request held: the text report's escaping.
func Visible(s string) string { return report.Visible(s) }
