// Package gqlcost names a GraphQL operation by what it asks and estimates
// what it costs against GitHub's GraphQL rate limits, from the request
// alone ([Analyze]); and reads the cost GitHub reported when a recorded
// answer asked for it ([RecordedCost]).
//
// # Naming
//
// An operation with a name is named by it. An anonymous one is named by
// its root selection, so that editing its leaf fields keeps its name:
// starting at the root, a level with exactly one field that has a
// selection set of its own adds that field's name and the walk goes down
// into it; a level with several, or none, stops the walk. At the root,
// where the walk has named nothing yet, several fields are named by all
// their names, sorted and joined with "+".
//
//	query { repository(owner: "o", name: "r") { pullRequest(number: 1) { title } } }   repository.pullRequest
//	query { repository(…) { pullRequest(…) { commits(last: 1) { … } reviews(first: 5) { … } } } }   repository.pullRequest
//	{ viewer { login } repository(owner: "o", name: "r") { id } }                      repository+viewer
//	{ viewer { login } rateLimit { cost } }                                            viewer
//
// Stopping above a level of several fields, rather than naming them,
// keeps the name when a field is added to or dropped from that level,
// the most common edit of a query.
//
// Aliases are ignored (field names are used, and two aliases of one field
// are one name), fragments are spread where they are used, __typename
// and leaf fields do not count, and at the root a rateLimit beside other
// fields does not count either: it is what one adds to a query to learn
// its cost. A root of leaf fields only is named by them.
//
// # Cost
//
// GitHub's primary GraphQL limit is in points (5,000 an hour for a user,
// 1,000 for a workflow's GITHUB_TOKEN). Its published way of scoring a
// call
// (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#calculating-a-rate-limit-score-for-a-query)
// assumes every connection returns as many nodes as its first or last
// asks for, and counts the requests needed to fetch each connection: one
// for each node of the connections enclosing it, so one for an outermost
// connection. The requests are added up, divided by 100 and rounded to
// the nearest whole number; a call costs at least 1 point. GitHub's
// example:
//
//	viewer { repositories(first: 100) { … issues(first: 50) { … labels(first: 60) { … } } } }
//	repositories 1 + issues 100 + labels 100×50 = 5,101 requests → 51 points
//
// A connection here is a field with a first or last argument (the schema
// is not consulted). Fields are merged as GraphQL merges them, by response
// key (alias, else name), so a connection asked for both directly and
// through a fragment counts once; fields left out by @skip or @include
// with a known condition do not count. A first or last given as a
// variable takes its value from the request's variables, else the
// variable's default; one not given, or not a whole number, is assumed to
// be 100, GitHub's maximum. Values over 100 are counted as 100, and
// negative ones as 0 (GitHub refuses both). Every such assumption is in
// [Info.Notes] and sets [Info.Estimated].
//
// [Info.Nodes] is the same walk's node count (GitHub's other published
// limit: 500,000 a call), and [Info.Secondary] the operation's points
// against the secondary limit on GraphQL: 5 for a mutation, 1 otherwise.
//
// # Bounds
//
// Analyze is pure and does bounded work on any input: at most [MaxTokens]
// tokens are parsed, the parser bounds nesting, fragments that spread
// themselves are refused before anything is expanded, and an operation
// expanding to more than [MaxExpansion] selections (each argument and
// directive counting as one more) is refused with [ErrTooLarge].
//
// What it does not do: validate against GitHub's schema, match a request
// to a recording, or count X-RateLimit-Used headers; those belong to the
// replay engine that imports it.
package gqlcost
