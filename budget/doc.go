// Package budget owns the budget file, the committed, generated baseline of
// GitHub API calls per scenario, and the comparison of a run's counts with
// it.
//
// The file ([File]) is YAML, written by `callbudget update` and reviewed
// like code: a header comment saying how it was made, then per scenario
// (sorted by name) the total, the mutating total, the GraphQL points when
// there are any, the per-resource totals, the count per endpoint, and the
// points per GraphQL endpoint. An endpoint is keyed by method and route
// template, plus the operation for GraphQL, whose operations all share
// POST /graphql; a REST endpoint's operation id follows as a comment:
//
//	version: 1
//	scenarios:
//	  pr-opened:
//	    total: 3
//	    mutating: 1
//	    graphql_points: 1
//	    resources:
//	      core: 2
//	      graphql: 1
//	    endpoints:
//	      POST /graphql graphql/ViewerLogin: 1
//	      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
//	      POST /repos/{owner}/{repo}/statuses/{sha}: 1 # repos/create-commit-status
//	    graphql_points_by_endpoint:
//	      POST /graphql graphql/ViewerLogin: 1
//
// The counts are paid calls: the 304s GitHub does not charge are not
// budgeted, and an endpoint that only got such 304s has no line. The
// points per GraphQL endpoint are a mapping of their own, keyed exactly as
// in endpoints, rather than a second figure on the endpoint's line, so
// that endpoints stays a mapping of key to calls that adds up to the
// total, a change of points is a one-line diff of its own, and the parser
// can hold them to the same rules (whole numbers, known keys, a sum that
// is graphql_points). A file without them, as callbudget wrote before it
// counted GraphQL points, still loads: see [Entry.GraphQLPointsBudgeted].
//
// [Load] is strict and reports problems as file:line: like a compiler; the
// same content always saves to the same bytes, and [File.Save] replaces the
// file atomically, so a crash never leaves half a budget.
//
// [Compare] turns a baseline entry and a run's [replay.Counts] into a
// [report.Scenario]: over if the total, the mutating total, any resource
// total or the GraphQL points are above their baseline plus the
// [Tolerance] (resolved against the call total for the calls, against the
// points baseline for the points), under if the total is below its
// baseline and nothing is over, new if there is no baseline.
//
// Counting calls is the replay package's job, rendering the comparison the
// report package's, and deciding which scenarios to run the command's.
package budget
