package replay

import (
	"net/http"
	"sort"
)

// Secondary-limit points GitHub charges per request: 1 for a read, 5 for a
// request that changes something (REST POST/PATCH/PUT/DELETE, a GraphQL
// mutation).
const (
	ReadPoints  = 1
	WritePoints = 5
)

// Counts is what a replay counted: every request, named by endpoint. It is
// a value, safe to keep and compare after the replay goes on or is closed.
type Counts struct {
	// Total is every paid request made, matched or not, repeats
	// included: every request but the 304s GitHub does not charge (see
	// NotModified). The budget compares paid calls.
	Total int
	// Resources is Total split by GitHub rate-limit resource (core,
	// search, code_search, graphql, …), decided by the route; a recorded
	// X-RateLimit-Resource that disagrees is listed in
	// ResourceMismatches, not followed.
	Resources map[string]int
	// Mutating counts requests that change something (secondary limits).
	Mutating int
	// SecondaryPoints is the secondary-limit cost: ReadPoints per read,
	// WritePoints per mutating request.
	SecondaryPoints int
	// NotModified counts 304 answers to authenticated requests, which
	// GitHub does not charge against the primary limit: they are not in
	// Total nor in Resources. A 304 to an unauthenticated request is
	// paid, and counted in Total like any call.
	NotModified int
	// ConditionalDropped counts requests made without the conditional
	// header (If-None-Match, If-Modified-Since) their recording had: a
	// recorded free 304 became a paid call. They are in Total.
	ConditionalDropped int
	// GraphQLPoints is the GraphQL primary rate-limit cost, in points
	// (5,000 an hour for a user or app, 1,000 for GITHUB_TOKEN): for each
	// GraphQL call the cost its recording shows (rateLimit.cost in the
	// answer, or the step of X-RateLimit-Used on the graphql resource),
	// else GitHub's published estimate of the query sent.
	GraphQLPoints int
	// GraphQLEstimated is the same calls' cost by GitHub's published
	// algorithm alone, from the queries sent.
	GraphQLEstimated int
	// GraphQLEdited counts GraphQL calls whose query text differs from
	// the recording they were served: matched by name (operation name,
	// else root selection) and answered as recorded, but flagged.
	GraphQLEdited int
	// ResourceMismatches lists endpoints whose recorded
	// X-RateLimit-Resource differs from the resource their route names,
	// sorted by route, method and operation.
	ResourceMismatches []ResourceMismatch
	// Repeats counts requests served again after their recorded
	// interactions were used up: a call made more often than recorded.
	Repeats int
	// Unused counts recorded interactions no request claimed: calls the
	// recording made and this run did not ("recorded, not called"). A
	// recorded free 304 a plain request took the place of
	// (ConditionalDropped) is not unused. NotCalled lists them.
	Unused int
	// NotCalled lists, per endpoint, the recorded interactions no request
	// claimed, sorted by route, method and operation: an endpoint may be
	// in both Endpoints (called fewer times than recorded) and here, or
	// here alone (recorded, not called at all).
	NotCalled []NotCalled
	// Endpoints has one entry per endpoint called, sorted by route,
	// method and operation.
	Endpoints []Endpoint
	// Unmatched lists requests with no recorded interaction, by method and
	// normalised path (never query values or bodies), sorted.
	Unmatched []UnmatchedCall
	// Refused lists the hosts the Server refused a CONNECT to, sorted:
	// any host but GitHub's API hosts (replay has no network), and every
	// host when its interception face is off. A refused CONNECT is not a
	// GitHub API call and is not in Total.
	Refused []RefusedHost
	// CARefused lists the hosts for which a client refused the
	// interception face's certificate in the TLS handshake (it does not
	// trust the run's CA, or it pins GitHub's certificates), sorted:
	// whatever that client meant to call went uncounted.
	CARefused []RefusedHost
}

// RefusedHost is a host and how many times it was refused.
type RefusedHost struct {
	// Host is the CONNECT's host, with its port when that is not 443.
	Host  string
	Count int
}

func refusedList(m map[string]int) []RefusedHost {
	if len(m) == 0 {
		return nil
	}
	out := make([]RefusedHost, 0, len(m))
	for h, n := range m {
		out = append(out, RefusedHost{Host: h, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })
	return out
}

// Endpoint is the count for one GitHub endpoint.
type Endpoint struct {
	Method string
	// Route is the REST route template
	// ("/repos/{owner}/{repo}/pulls/{pull_number}"), or a fallback
	// template for paths GitHub's description does not have.
	Route string
	// Operation is GitHub's operation id ("pulls/get"); for GraphQL
	// "graphql/<operation name>". Empty when the route is unknown.
	Operation string
	Resource  string
	Category  string
	DocsURL   string
	// Known is false when Route is a fallback template.
	Known    bool
	Mutating bool

	// Count is the paid calls: every request but free 304s.
	Count int
	// NotModified is the free 304s (authenticated), besides Count.
	NotModified int
	Repeats     int
	Unmatched   int
	// ConditionalDropped is how many of Count were made without the
	// conditional header their recording had.
	ConditionalDropped int
	// GraphQLPoints and GraphQLEstimated are the endpoint's GraphQL cost
	// (see Counts); 0 for REST.
	GraphQLPoints    int
	GraphQLEstimated int
	// GraphQLEdited is how many calls sent a query text that differs from
	// the recording they were served.
	GraphQLEdited int
}

// ResourceMismatch is an endpoint whose recording says it was counted
// against another rate-limit resource than its route names.
type ResourceMismatch struct {
	Method    string
	Route     string
	Operation string
	// Resource is the route's; Recorded the X-RateLimit-Resource the
	// recording has.
	Resource string
	Recorded string
	Count    int
}

// Points is the endpoint's secondary-limit cost.
func (e Endpoint) Points() int {
	if e.Mutating {
		return e.Count * WritePoints
	}
	return e.Count * ReadPoints
}

// NotCalled is an endpoint's recorded interactions that no request of
// the run claimed.
type NotCalled struct {
	Method    string
	Route     string
	Operation string
	Count     int
}

// UnmatchedCall is a request the cassette had no interaction for.
type UnmatchedCall struct {
	Method string
	Path   string
	Count  int
}

type endpointKey struct {
	method, route, op string
}

// key is the endpoint a call is counted under: its route's, and for
// GraphQL its operation's.
func (n callName) key() endpointKey {
	op := n.route.Operation
	if n.op != "" {
		op = "graphql/" + n.op
	}
	return endpointKey{n.route.Method, n.route.Template, op}
}

type tally struct {
	m     map[endpointKey]*Endpoint
	order []endpointKey
	// mismatch sums, by endpoint and recorded resource, the calls whose
	// recording names another resource than the route.
	mismatch map[mismatchKey]int
	// unused sums, by endpoint, the recorded interactions no request
	// claimed.
	unused map[endpointKey]int
}

type mismatchKey struct {
	endpointKey
	recorded string
}

// served is what one slot (or one unmatched URL) counted.
type served struct {
	requests, free, repeats, unmatched, dropped, unused int
	points, estimated, edited                           int
}

func (t *tally) add(n callName, c served) {
	if c.unused > 0 {
		if t.unused == nil {
			t.unused = map[endpointKey]int{}
		}
		t.unused[n.key()] += c.unused
	}
	if c.requests == 0 {
		return
	}
	k := n.key()
	op := k.op
	e := t.m[k]
	if e == nil {
		e = &Endpoint{
			Method: n.route.Method, Route: n.route.Template, Operation: op,
			Resource: n.route.Resource, Category: n.route.Category, DocsURL: n.route.DocsURL,
			Known: n.route.Known, Mutating: n.mutating,
		}
		t.m[k] = e
		t.order = append(t.order, k)
	}
	e.Count += c.requests - c.free
	e.NotModified += c.free
	e.Repeats += c.repeats
	e.Unmatched += c.unmatched
	e.ConditionalDropped += c.dropped
	e.GraphQLPoints += c.points
	e.GraphQLEstimated += c.estimated
	e.GraphQLEdited += c.edited
}

func (t *tally) mismatched(n callName, recorded string, count int) {
	if recorded == "" || recorded == n.route.Resource || count == 0 {
		return
	}
	if t.mismatch == nil {
		t.mismatch = map[mismatchKey]int{}
	}
	t.mismatch[mismatchKey{n.key(), recorded}] += count
}

// live is what a slot served so far.
//
// A plain request the recording had no plain answer left for, while a
// recorded conditional request to the same URL went unmade, is taken to
// be that request without its conditional header: it is counted as
// dropped (a paid call the recording had free) instead of as a repeat.
// Taken from totals, this does not depend on the order of requests.
func (s *slot) live(t *tally) served {
	claimed, extra, strays := int(s.claimed.Load()), int(s.extra.Load()), int(s.strays.Load())
	for i := 0; i < claimed; i++ {
		t.mismatched(s.name, s.answers[i].recorded, 1)
	}
	if extra+strays > 0 {
		t.mismatched(s.name, s.answers[len(s.answers)-1].recorded, extra+strays)
	}
	c := served{
		requests: claimed + extra + strays, free: int(s.free.Load()), repeats: extra + strays,
		points: int(s.points.Load()), estimated: int(s.estimated.Load()), edited: int(s.edited.Load()),
	}
	var overflow, unused int
	switch {
	case !s.cond && s.pair != nil:
		overflow = extra
		unused = len(s.pair.answers) - int(s.pair.claimed.Load())
	case s.cond:
		overflow = strays
		unused = len(s.answers) - claimed
	}
	c.dropped = max(0, min(overflow, unused))
	c.repeats -= c.dropped
	// What no request claimed, less the recorded 304s a plain request
	// took the place of (counted as dropped, here or by the plain pair).
	c.unused = len(s.answers) - claimed
	switch {
	case s.cond && s.pair == nil:
		c.unused -= c.dropped
	case s.cond:
		c.unused -= min(int(s.pair.extra.Load()), c.unused)
	}
	c.unused = max(0, c.unused)
	return c
}

// recorded is what a slot recorded, each interaction counted once.
func (s *slot) recorded(t *tally) served {
	c := served{requests: len(s.answers)}
	for i := range s.answers {
		a := &s.answers[i]
		t.mismatched(s.name, a.recorded, 1)
		if a.code == http.StatusNotModified && a.auth {
			c.free++
		}
		if a.gqlText != "" || a.gqlEst > 0 {
			c.estimated += a.gqlEst
			if a.gqlCost >= 0 {
				c.points += a.gqlCost
			} else {
				c.points += a.gqlEst
			}
		}
	}
	return c
}

// counts takes a snapshot: of what was served, or with recorded set, of
// what the cassette recorded, each interaction once (CountRecorded).
func (e *engine) counts(recorded bool) Counts {
	t := tally{m: map[endpointKey]*Endpoint{}}
	for _, s := range e.slots {
		if recorded {
			t.add(s.name, s.recorded(&t))
		} else {
			t.add(s.name, s.live(&t))
		}
	}
	var unmatched []UnmatchedCall
	e.mu.Lock()
	for _, m := range e.missOrd {
		t.add(m.name, served{requests: m.count, unmatched: m.count, points: m.points, estimated: m.points})
		unmatched = mergeUnmatched(unmatched, UnmatchedCall{Method: m.name.route.Method, Path: m.path, Count: m.count})
	}
	refused, caRefused := refusedList(e.refused), refusedList(e.caRefused)
	e.mu.Unlock()

	c := Counts{Resources: map[string]int{}, Unmatched: unmatched, Refused: refused, CARefused: caRefused}
	for _, k := range t.order {
		ep := t.m[k]
		c.Endpoints = append(c.Endpoints, *ep)
		c.Total += ep.Count
		if ep.Count > 0 {
			c.Resources[ep.Resource] += ep.Count
		}
		if ep.Mutating {
			c.Mutating += ep.Count
		}
		c.SecondaryPoints += ep.Points()
		c.NotModified += ep.NotModified
		c.Repeats += ep.Repeats
		c.ConditionalDropped += ep.ConditionalDropped
		c.GraphQLPoints += ep.GraphQLPoints
		c.GraphQLEstimated += ep.GraphQLEstimated
		c.GraphQLEdited += ep.GraphQLEdited
	}
	for k, n := range t.mismatch {
		ep := t.m[k.endpointKey]
		c.ResourceMismatches = append(c.ResourceMismatches, ResourceMismatch{
			Method: k.method, Route: k.route, Operation: k.op, Resource: ep.Resource, Recorded: k.recorded, Count: n,
		})
	}
	for k, n := range t.unused {
		c.NotCalled = append(c.NotCalled, NotCalled{Method: k.method, Route: k.route, Operation: k.op, Count: n})
		c.Unused += n
	}
	sort.Slice(c.NotCalled, func(i, j int) bool {
		a, b := c.NotCalled[i], c.NotCalled[j]
		return endpointLess(&Endpoint{Method: a.Method, Route: a.Route, Operation: a.Operation},
			&Endpoint{Method: b.Method, Route: b.Route, Operation: b.Operation})
	})
	sort.Slice(c.ResourceMismatches, func(i, j int) bool {
		a, b := c.ResourceMismatches[i], c.ResourceMismatches[j]
		return endpointLess(&Endpoint{Method: a.Method, Route: a.Route, Operation: a.Operation, Resource: a.Recorded},
			&Endpoint{Method: b.Method, Route: b.Route, Operation: b.Operation, Resource: b.Recorded})
	})
	// Slots merge into one endpoint when they share a route (one route,
	// many owners/repos/pages); merging already summed them.
	sort.Slice(c.Endpoints, func(i, j int) bool { return endpointLess(&c.Endpoints[i], &c.Endpoints[j]) })
	sort.Slice(c.Unmatched, func(i, j int) bool {
		a, b := c.Unmatched[i], c.Unmatched[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	return c
}

// mergeUnmatched adds u, summing with an entry of the same method and path
// (a GraphQL miss and a REST miss can share one path with different keys).
func mergeUnmatched(list []UnmatchedCall, u UnmatchedCall) []UnmatchedCall {
	for i := range list {
		if list[i].Method == u.Method && list[i].Path == u.Path {
			list[i].Count += u.Count
			return list
		}
	}
	return append(list, u)
}

func endpointLess(a, b *Endpoint) bool {
	if a.Route != b.Route {
		return a.Route < b.Route
	}
	if a.Method != b.Method {
		return a.Method < b.Method
	}
	if a.Operation != b.Operation {
		return a.Operation < b.Operation
	}
	return a.Resource < b.Resource
}

// CountRecorded counts what a cassette recorded, each interaction once, as
// if a client had made exactly the recorded calls. Nothing is served.
func CountRecorded(c *Cassette, opts Options) Counts {
	e := newEngine(c, opts, nil, false)
	return e.counts(true)
}
