// Package report owns callbudget's report: the JSON schema (version
// [SchemaVersion]) that check, update, run and count write and that the
// comment command reads back, and its three renderings: a terminal table
// ([Report.WriteText]), JSON ([Report.WriteJSON], [ReadJSON]) and the
// Markdown a pull-request comment or job summary carries
// ([Report.WriteMarkdown]).
//
// A Report is built by its callers: [FromCounts] for a scenario with no
// baseline (run, count), budget.Compare for one compared with the budget
// file. [Report.ComputeVerdict] then folds the scenario statuses into the
// verdict the command maps to an exit code; this package never exits and
// never looks at the environment (the command decides whether colour is
// wanted).
//
// Every string that comes from a cassette or a request (scenario names are
// named after cassette files; routes, paths and GraphQL operation names are
// whatever a client sent) is treated as hostile when rendered: control and
// bidirectional-override characters are shown as escapes in both text and
// Markdown, and the Markdown escaping (markdown.go) keeps such a string from
// breaking a table, closing an HTML comment, mentioning a user or injecting
// HTML. [ReadJSON] is strict, since the report it reads may come from an
// untrusted workflow run.
//
// Counting is the replay package's job and comparing with a baseline the
// budget package's; report only holds and renders the result.
package report
