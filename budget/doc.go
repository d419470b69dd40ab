// Package budget owns the budget file, the committed, generated baseline of
// GitHub API calls per scenario, and the comparison of a run's counts with
// it.
//
// The file ([File]) is YAML, written by `callbudget update` and reviewed
// like code: a header comment saying how it was made, then per scenario
// (sorted by name) the total, the mutating total, the per-resource totals
// and the count per endpoint. An endpoint is keyed by method and route
// template, plus the operation for GraphQL, whose operations all share
// POST /graphql; a REST endpoint's operation id follows as a comment:
//
//	version: 1
//	scenarios:
//	  pr-opened:
//	    total: 3
//	    mutating: 1
//	    resources:
//	      core: 2
//	      graphql: 1
//	    endpoints:
//	      POST /graphql graphql/ViewerLogin: 1
//	      GET /repos/{owner}/{repo}/pulls/{pull_number}: 1 # pulls/get
//	      POST /repos/{owner}/{repo}/statuses/{sha}: 1 # repos/create-commit-status
//
// [Load] is strict and reports problems as file:line: like a compiler; the
// same content always saves to the same bytes, and [File.Save] replaces the
// file atomically, so a crash never leaves half a budget.
//
// [Compare] turns a baseline entry and a run's [replay.Counts] into a
// [report.Scenario]: over if the total, the mutating total or any resource
// total is above its baseline plus the [Tolerance], under if the total is
// below its baseline and nothing is over, new if there is no baseline.
//
// Counting calls is the replay package's job, rendering the comparison the
// report package's, and deciding which scenarios to run the command's.
package budget
