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
// The calls a report counts are paid calls: the 304s GitHub does not
// charge are counted besides them (not_modified), and an endpoint answered
// only such 304s has a count of 0. Schema version 1 grew, additively and
// left out of the JSON when zero, the GraphQL points of a scenario and of
// each GraphQL endpoint (graphql_points, graphql_points_estimated: the
// recorded cost, else GitHub's published estimate, and the estimate
// alone), their baseline (baseline_graphql_points) and the tolerance
// resolved against it (graphql_points_tolerance), the calls that dropped
// a conditional header their recording had (conditional_dropped), the
// GraphQL calls whose query differs from their recording (graphql_edited),
// and the endpoints whose recorded X-RateLimit-Resource is not their
// route's (resource_mismatches). The renderers say each of these in a
// note ([Scenario.Notes]); docs/report.md describes the schema.
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
