package action

import (
	"fmt"
	"strings"

	"github.com/callbudget/callbudget/prcomment"
	"github.com/sethvargo/go-githubactions"
)

// DefaultCommentAuthor is the login whose comments are searched for the
// sticky one: the GITHUB_TOKEN's bot. It cannot be asked for (GET /user is
// forbidden to GITHUB_TOKEN), so another token's login is an input.
const DefaultCommentAuthor = prcomment.DefaultAuthor

// FlagInput is an input of action.yml that stands for a command-line flag.
type FlagInput struct {
	Input string // the input's name in action.yml: "scenarios"
	Flag  string // the flag it sets: "scenario"
}

// FlagInputs are the inputs the command applies as flags; the others are
// read by [ReadSettings].
var FlagInputs = []FlagInput{
	{Input: "config", Flag: "config"},
	{Input: "scenarios", Flag: "scenario"},
	{Input: "tolerance", Flag: "tolerance"},
	{Input: "comment", Flag: "comment"},
	{Input: "comment-author", Flag: "comment-author"},
}

// Input returns the action input name as the runner passes it to a Docker
// action (INPUT_<NAME>, upper-cased, dashes kept: INPUT_GITHUB-TOKEN),
// trimmed, through go-githubactions; "" when unset.
func Input(getenv func(string) string, name string) string {
	return githubactions.New(githubactions.WithGetenv(getenv)).GetInput(name)
}

// FlagValue is the value of input in for its flag: the scenarios input is
// a list separated by commas or newlines (a YAML block scalar), given to
// the flag as one comma-separated value.
func FlagValue(in FlagInput, value string) string {
	if in.Input == "scenarios" {
		return strings.Join(SplitList(value), ",")
	}
	return value
}

// SplitList splits a list input on commas and newlines, trimming each item
// and dropping empty ones.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Settings are the action's settings that are not flags of check.
type Settings struct {
	// Comment says when to post the sticky PR comment.
	Comment prcomment.Mode
	// CommentAuthor is the login the sticky comment is searched under.
	CommentAuthor string
	// FailOnIncrease false makes an over-budget verdict exit 0, with a
	// warning.
	FailOnIncrease bool
	// Token authenticates the comment: the github-token input, else
	// GITHUB_TOKEN. It is never given to scenario commands.
	Token string
}

// ReadSettings reads the settings that are not flags of check. Each is
// CALLBUDGET_<NAME> from the environment when set (a step that runs the
// binary directly sets that), else the action input, else its default:
// comment "auto", comment-author [DefaultCommentAuthor], fail-on-increase
// true. A value that is not valid is an error naming the input.
func ReadSettings(getenv func(string) string) (Settings, error) {
	s := Settings{CommentAuthor: DefaultCommentAuthor, FailOnIncrease: true}
	mode, err := prcomment.ParseMode(setting(getenv, "comment"))
	if err != nil {
		return s, fmt.Errorf("input comment: %w", err)
	}
	s.Comment = mode
	if v := setting(getenv, "comment-author"); v != "" {
		s.CommentAuthor = v
	}
	if v := setting(getenv, "fail-on-increase"); v != "" {
		b, err := ParseBool(v)
		if err != nil {
			return s, fmt.Errorf("input fail-on-increase: %w", err)
		}
		s.FailOnIncrease = b
	}
	s.Token = Input(getenv, "github-token")
	if s.Token == "" {
		s.Token = strings.TrimSpace(getenv("GITHUB_TOKEN"))
	}
	return s, nil
}

// setting is CALLBUDGET_<NAME>, else INPUT_<NAME>.
func setting(getenv func(string) string, name string) string {
	env := "CALLBUDGET_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if v := strings.TrimSpace(getenv(env)); v != "" {
		return v
	}
	return Input(getenv, name)
}

// ParseBool reads a boolean input the way workflow files write them:
// true/false in any case (YAML 1.2's core schema, which is what the
// runner passes on for `fail-on-increase: false`).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q: want true or false", s)
}
