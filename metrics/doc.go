// Package metrics counts GitHub API calls in production, the way the CI
// check counts them on replay: a counting [http.RoundTripper] names every
// call with the route table (package routes, after
// [replay.NormalizePath]) and records it into Prometheus collectors: calls
// by method, route, operation, resource and status class, secondary-limit
// points, the rate-limit headers last seen per resource, request
// durations, and, per unit of work marked with a [Run], the number of calls
// each run made.
//
// Labels are bounded whatever the traffic: a route label is a template of
// the route table or "other" (a path the table does not know), a resource
// label one of GitHub's rate-limit resources or "other"; raw paths, query
// strings and tokens never become labels.
//
// It owns the collectors and the run bookkeeping. It does not serve
// /metrics, forward requests or read tokens: callbudget proxy does, with
// internal/recorder's forwarding.
package metrics
