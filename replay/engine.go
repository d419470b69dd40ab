package replay

import (
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/callbudget/callbudget/internal/intercept"
	"github.com/callbudget/callbudget/routes"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

type cassetteResponse = cassette.Response

// Options configures a Transport or a Server.
type Options struct {
	// MatchHost makes the request's host part of the match. By default the
	// host is ignored, so a cassette recorded against api.github.com (and
	// uploads.github.com) replays for a client pointed anywhere. Only the
	// Transport and the Server's interception face see the host a client
	// meant; a plain request to the Server names no host, and takes the
	// interactions of the first host recorded for it.
	MatchHost bool

	// Addr is the address the Server listens on; "127.0.0.1:0" (a free
	// port on loopback) when empty. The Transport ignores it.
	Addr string

	// KeepURLs stops the Server from rewriting the recorded API origins
	// (https://api.github.com, uploads, an Enterprise host) in Link and
	// Location headers and in bodies to its own URL. Rewriting is what lets
	// clients that follow absolute URLs (PyGithub, octokit pagination) stay
	// on the replay server; the Transport never rewrites, since it answers
	// whatever host is asked.
	KeepURLs bool

	// NoIntercept turns the Server's interception face off: a CONNECT is
	// then refused (and counted) whatever its host, as for any host but
	// GitHub's when the face is on. The Transport ignores it.
	NoIntercept bool

	// CA signs the interception face's certificates; nil makes one in
	// memory for the Server (intercept.NewCA), whose key never leaves the
	// process.
	CA *intercept.CA

	// InterceptHosts are hosts the interception face decrypts besides
	// api.github.com and uploads.github.com: a GitHub Enterprise Server
	// host.
	InterceptHosts []string
}

// UnmatchedHeader is set on the 404 answer to a request the cassette has
// no interaction for, so a client's logs say why it got a 404.
const UnmatchedHeader = "X-Callbudget-Unmatched"

// InteractionHeader names the recorded interaction (its index in the
// cassette) each replayed answer came from.
const InteractionHeader = "X-Callbudget-Interaction"

// slotKey is the match key. A struct of strings, not a concatenation,
// so the common lookup allocates nothing.
type slotKey struct {
	method, host, path, query, op string
	// cond: the request carried a conditional header (If-None-Match,
	// If-Modified-Since). A conditional call and a plain one to the same
	// URL are answered, and counted, apart.
	cond bool
}

// answer is one recorded response, prepared once for serving.
type answer struct {
	index  int
	code   int
	status string
	// header, body and clen are what the Transport and the Server's plain
	// face serve (origins rewritten for the Server); rawHeader, rawBody
	// and rawClen what the interception face serves, exactly as recorded.
	// Each raw value is the plain one itself when rewriting changed
	// nothing.
	header http.Header
	// own is a private copy of header for the Transport to hand out on the
	// answer's first serving, when it can be served again (the last answer
	// of its slot); nil otherwise.
	own          http.Header
	body         string
	clen         []string // Content-Length, formatted once
	rawHeader    http.Header
	rawBody      string
	rawClen      []string
	uncompressed bool
	// recorded is the X-RateLimit-Resource the recording has; "" when none.
	recorded string
	// auth: the recorded request was authenticated (CountRecorded's free
	// 304s).
	auth bool
	// For a GraphQL answer: the recorded query's text (whitespace
	// collapsed), the cost the recording shows (-1 when it does not) and
	// the recorded query's estimated cost.
	gqlText string
	gqlCost int
	gqlEst  int
}

// slot holds the recorded answers for one key, in recorded order, and what
// it has served. Each request claims the next answer with one atomic
// step, so the answers served (and from them the repeats and the resource
// mismatches) do not depend on the order of concurrent requests.
type slot struct {
	name    callName
	answers []answer
	// pair is the slot of the same URL with the other conditional state
	// (see slotKey.cond); nil when the recording has only one.
	pair *slot
	// claimed counts the answers handed out, at most len(answers); extra
	// the requests served the last answer again after that.
	claimed, extra atomic.Int64
	// free counts 304s served to authenticated requests (not charged);
	// strays, on a conditional slot with no plain pair, the plain
	// requests it served.
	free, strays atomic.Int64
	// cond: the slot's recordings were conditional requests.
	cond bool
	// GraphQL: points charged and estimated, and calls whose query text
	// differs from the recording that answered them.
	points, estimated, edited atomic.Int64
}

// learnRepoForms reads, from the Link and Location headers of what was
// recorded under /repos/{owner}/{repo}/…, the /repositories/{id} form
// GitHub gave the same repository, and returns both directions; nil when
// the recording shows none.
func learnRepoForms(c *Cassette) map[string]string {
	var forms map[string]string
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			continue
		}
		named := repoPrefix(NormalizePath(u.EscapedPath()), "repos", 3)
		if named == "" {
			continue
		}
		for _, k := range []string{"Link", "Location", "link", "location"} {
			for _, v := range in.Response.Headers[k] {
				for _, part := range strings.Split(v, ",") {
					raw := strings.Trim(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]), "<>")
					lu, err := url.Parse(raw)
					if err != nil {
						continue
					}
					byID := repoPrefix(NormalizePath(lu.EscapedPath()), "repositories", 2)
					if byID == "" {
						continue
					}
					if forms == nil {
						forms = map[string]string{}
					}
					forms[byID], forms[named] = named, byID
				}
			}
		}
	}
	return forms
}

// repoPrefix is the first n segments of path when its first is first
// ("/repos/o/r" of "/repos/o/r/pulls/1"; "/repositories/42" with
// first "repositories", whose id must be digits); "" otherwise.
func repoPrefix(path, first string, n int) string {
	segs := strings.SplitN(strings.TrimPrefix(path, "/"), "/", n+1)
	if len(segs) < n || segs[0] != first {
		return ""
	}
	if first == "repositories" && !isDigitString(segs[1]) {
		return ""
	}
	for _, s := range segs[:n] {
		if s == "" {
			return ""
		}
	}
	return "/" + strings.Join(segs[:n], "/")
}

func isDigitString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// otherRepoForm is key with its repository spelt the other way GitHub
// spells it, if the recording showed that spelling.
func (e *engine) otherRepoForm(key slotKey) (slotKey, bool) {
	for _, form := range [...]struct {
		first string
		n     int
	}{{"repositories", 2}, {"repos", 3}} {
		p := repoPrefix(key.path, form.first, form.n)
		if p == "" {
			continue
		}
		if alt, ok := e.repoForms[p]; ok {
			key.path = alt + key.path[len(p):]
			return key, true
		}
	}
	return key, false
}

// claim hands out the next unserved answer's index.
func (s *slot) claim() (int, bool) {
	for {
		n := s.claimed.Load()
		if n >= int64(len(s.answers)) {
			return 0, false
		}
		if s.claimed.CompareAndSwap(n, n+1) {
			return int(n), true
		}
	}
}

// callName is what a call is counted as.
type callName struct {
	route    routes.Route
	op       string // GraphQL operation name; "" for REST
	mutating bool
}

// engine is the matcher and counter both faces share. The index is
// read-only after newEngine, so matching takes no lock; only unmatched
// requests (the rare path) do.
type engine struct {
	opts  Options
	index map[slotKey]*slot
	// hasCond: some recorded request was conditional, so a plain request
	// may have to look for a conditional slot.
	hasCond bool
	// gqlAlt finds, for an anonymous GraphQL query whose name matches no
	// recording, the one recorded query with the same kind and first root
	// field (nil when several share it): keyed by slotKey with op set to
	// gqlCall.alt.
	gqlAlt map[slotKey]*slot
	// product names the GitHub a request that shows no host or prefix of
	// its own was meant for: the first recorded interaction's.
	product routes.Product
	// repoForms pairs the two spellings of a repository GitHub uses,
	// "/repos/{owner}/{repo}" and "/repositories/{id}", both ways, as
	// learnt from the recording (see learnRepoForms): a client that
	// follows GitHub's by-ID Link headers where the recording paged by
	// number, or the other way round, still finds its recordings.
	repoForms map[string]string
	slots     []*slot // in order of first recording, for stable counts
	// anyHost, only with MatchHost, finds a slot for a request that
	// names no host (the Server's plain face): the first host recorded.
	anyHost map[slotKey]*slot
	mu      sync.Mutex
	misses  map[slotKey]*missSlot
	missOrd []*missSlot
	// refused and caRefused count, by host, CONNECTs the Server refused
	// and TLS handshakes in which a client refused its CA.
	refused, caRefused map[string]int
}

type missSlot struct {
	name  callName
	path  string
	count int
	// points and estimated: GraphQL cost of the missed calls, estimated.
	points int
}

// rewriter maps recorded API origins to the Server's own URL; nil for the
// Transport.
type rewriter struct {
	r       *strings.Replacer
	origins []string
}

// apply rewrites s, returning s itself when no origin occurs in it, so
// that an unchanged body is not copied.
func (w *rewriter) apply(s string) string {
	if w == nil || !strings.Contains(s, "://") {
		return s
	}
	for _, o := range w.origins {
		if strings.Contains(s, o) {
			return w.r.Replace(s)
		}
	}
	return s
}

// header is h with its Link and Location values rewritten, sharing every
// other value with h; nil when rewriting changes nothing.
func (w *rewriter) header(h http.Header) http.Header {
	var out http.Header
	for _, k := range []string{"Link", "Location"} {
		var nvs []string
		for j, v := range h[k] {
			if nv := w.apply(v); nv != v {
				if nvs == nil {
					nvs = slices.Clone(h[k])
				}
				nvs[j] = nv
			}
		}
		if nvs != nil {
			if out == nil {
				out = maps.Clone(h)
			}
			out[k] = nvs
		}
	}
	return out
}

func newRewriter(c *Cassette, to string) *rewriter {
	seen := map[string]bool{"https://api.github.com": true, "https://uploads.github.com": true}
	for _, in := range c.Interactions {
		if u, err := url.Parse(in.Request.URL); err == nil && u.Host != "" && u.Scheme != "" {
			seen[u.Scheme+"://"+u.Host] = true
		}
	}
	origins := make([]string, 0, len(seen))
	for o := range seen {
		origins = append(origins, o)
	}
	// Longer origins first, so a host with a port wins over the bare host.
	sort.Slice(origins, func(i, j int) bool {
		if len(origins[i]) != len(origins[j]) {
			return len(origins[i]) > len(origins[j])
		}
		return origins[i] < origins[j]
	})
	pairs := make([]string, 0, 2*len(origins))
	for _, o := range origins {
		pairs = append(pairs, o, to)
	}
	return &rewriter{r: strings.NewReplacer(pairs...), origins: origins}
}

func newEngine(c *Cassette, opts Options, rw *rewriter, owned bool) *engine {
	e := &engine{
		opts:   opts,
		index:  make(map[slotKey]*slot, len(c.Interactions)),
		misses: map[slotKey]*missSlot{},
	}
	names := map[string]routes.Route{} // route lookups shared by keys with one path
	var window rateWindow
	alts := map[slotKey][]*slot{}
	for i, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			continue // Parse validated every URL; unreachable
		}
		method := strings.ToUpper(in.Request.Method)
		path, prefixed := NormalizeAPIPath(routes.CanonicalPath(u.EscapedPath()))
		product := routes.ProductFor(u.Host, prefixed, e.serverHosts())
		if i == 0 {
			e.product = product
		}
		key := slotKey{method: method, path: path, query: NormalizeQuery(u.RawQuery),
			cond: isConditional(in.Request.Headers)}
		if opts.MatchHost {
			key.host = strings.ToLower(u.Host)
		}
		e.hasCond = e.hasCond || key.cond
		var gql gqlCall
		graphql := path == "/graphql" && method == http.MethodPost
		if graphql {
			gql = parseGraphQL([]byte(in.Request.Body))
			key.op = gql.name
		}
		s := e.index[key]
		if s == nil {
			rk := product.String() + " " + method + " " + path
			r, ok := names[rk]
			if !ok {
				r = routes.LookupIn(product, method, path)
				names[rk] = r
			}
			s = &slot{name: nameCall(r, key.op, method, gql.mutation), cond: key.cond}
			e.index[key] = s
			e.slots = append(e.slots, s)
			other := key
			other.cond = !key.cond
			if p := e.index[other]; p != nil {
				s.pair, p.pair = p, s
			}
			if opts.MatchHost {
				bare := key
				bare.host = ""
				if e.anyHost == nil {
					e.anyHost = map[slotKey]*slot{}
				}
				if e.anyHost[bare] == nil {
					e.anyHost[bare] = s
				}
			}
			if gql.alt != "" {
				ak := key
				ak.op = gql.alt
				alts[ak] = append(alts[ak], s)
			}
		}
		a := prepareAnswer(i, &in.Response, rw)
		a.auth = in.Request.Headers.Get("Authorization") != ""
		if graphql {
			a.gqlText, a.gqlEst = gql.text, gql.points
			a.gqlCost = recordedGraphQLCost(&in.Response, a.rawHeader, &window)
		}
		s.answers = append(s.answers, a)
	}
	e.repoForms = learnRepoForms(c)
	for k, ss := range alts {
		if len(ss) == 1 {
			if e.gqlAlt == nil {
				e.gqlAlt = map[slotKey]*slot{}
			}
			e.gqlAlt[k] = ss[0]
		}
	}
	if owned {
		// The Transport gives each client its own header map without
		// copying on the request path: every answer but the last of its
		// slot is served exactly once, so its map can be handed out; the
		// last may be served again, so its first serving gets a copy made
		// here and repeats get a fresh clone.
		for _, s := range e.slots {
			last := &s.answers[len(s.answers)-1]
			last.own = last.header.Clone()
		}
	}
	return e
}

func nameCall(r routes.Route, op, method string, mutation bool) callName {
	r.Method = method
	n := callName{route: r, op: op}
	if r.Template == "/graphql" && method == http.MethodPost {
		n.mutating = mutation
	} else {
		n.mutating = isMutating(method)
	}
	return n
}

func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// hopHeaders are recorded but not served: they described the recorded
// connection, not the answer. Retry-After would make clients wait.
var hopHeaders = []string{"Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Retry-After", "Proxy-Connection", "Upgrade"}

func prepareAnswer(i int, r *cassetteResponse, rw *rewriter) answer {
	h := make(http.Header, len(r.Headers)+2)
	for k, v := range r.Headers {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		h[ck] = append(h[ck], v...)
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
	if r.Code == http.StatusForbidden || r.Code == http.StatusTooManyRequests {
		// With Retry-After gone, go-github reads X-RateLimit-Reset on a
		// secondary-limit answer as the time to wait, and refuses every
		// later request until then.
		delete(h, "X-Ratelimit-Reset")
	}
	keepCalling(h)
	h[InteractionHeader] = []string{strconv.Itoa(i)}
	status := r.Status
	if status == "" {
		status = strconv.Itoa(r.Code) + " " + http.StatusText(r.Code)
	}
	a := answer{index: i, code: r.Code, status: status, header: h, body: r.Body,
		clen: []string{strconv.Itoa(len(r.Body))}, uncompressed: r.Uncompressed,
		recorded: h.Get("X-Ratelimit-Resource"), gqlCost: -1}
	a.rawHeader, a.rawBody, a.rawClen = a.header, a.body, a.clen
	if rw != nil {
		// The plain face's copy is made only of what rewriting changes.
		if ph := rw.header(h); ph != nil {
			a.header = ph
		}
		if h.Get("Content-Encoding") == "" {
			if b := rw.apply(r.Body); b != r.Body {
				a.body = b
				a.clen = []string{strconv.Itoa(len(b))}
			}
		}
	}
	return a
}

// keepCalling rewrites the primary rate-limit headers so that no client
// throttles or skips a request: go-github refuses to send while a recorded
// X-RateLimit-Remaining of 0 has a future reset, and octokit's throttling
// sleeps on it. Remaining is served as the full limit.
func keepCalling(h http.Header) {
	lim := h.Get("X-Ratelimit-Limit")
	if n, err := strconv.Atoi(lim); err != nil || n <= 0 {
		if lim == "" && h.Get("X-Ratelimit-Remaining") == "" {
			return
		}
		lim = "5000"
	}
	h.Set("X-Ratelimit-Remaining", lim)
}

// request is what the engine reads of one request.
type request struct {
	method, host string
	// path is the escaped URL path (url.URL.EscapedPath), rawQuery the
	// undecoded query.
	path, rawQuery string
	header         http.Header
	// body is read only for POST /graphql.
	body io.Reader
}

// match finds the answer for one request and counts it. It returns nil
// for a request with no recorded interaction (already counted as
// unmatched), and whether the answer may have been handed out before
// (served again after its slot's answers were used up, or the full answer
// served for a dropped conditional request).
//
// A conditional request is answered from the recorded conditional calls
// to its URL (then again from the last of them), else from the plain ones.
// A plain request is answered from the recorded plain calls (then again
// from the last, the full answer), else from the recorded conditional
// call (a 304 without a body). Which plain requests stand for a recorded
// conditional call the client no longer makes is decided when counting
// (see slot.live), from totals, so it does not depend on request order.
func (e *engine) match(r request) (a *answer, repeat bool) {
	path, prefixed := NormalizeAPIPath(routes.CanonicalPath(r.path))
	key := slotKey{method: r.method, path: path, query: NormalizeQuery(r.rawQuery), cond: isConditional(r.header)}
	if !isUpperASCII(r.method) {
		key.method = strings.ToUpper(r.method)
	}
	if e.opts.MatchHost {
		key.host = strings.ToLower(r.host)
	}
	var gql gqlCall
	graphql := key.path == "/graphql" && key.method == http.MethodPost
	if graphql && r.body != nil {
		b, _ := io.ReadAll(io.LimitReader(r.body, maxGraphQLBody))
		gql = parseGraphQL(b)
		key.op = gql.name
	}
	s := e.lookup(key)
	var other *slot
	switch {
	case s != nil:
		other = s.pair
	case e.hasCond || key.cond:
		k := key
		k.cond = !key.cond
		other = e.lookup(k)
	}
	if s == nil && other == nil && gql.alt != "" && e.gqlAlt != nil {
		k := key
		k.op = gql.alt
		if s = e.gqlAlt[k]; s != nil {
			other = s.pair
		}
	}
	if s == nil && other == nil && e.repoForms != nil {
		if k, ok := e.otherRepoForm(key); ok {
			if s = e.lookup(k); s != nil {
				other = s.pair
			} else {
				k.cond = !k.cond
				other = e.lookup(k)
			}
		}
	}
	if s == nil && other == nil {
		e.miss(key, gql, e.productOf(r.host, prefixed))
		return nil, false
	}

	from := s
	if s == nil {
		// Nothing recorded in this conditional state: a conditional
		// request takes the plain recordings, as a plain request would;
		// a plain one is served the conditional recording (a 304), a
		// stray that counts will call dropped.
		from = other
	}
	stray := s == nil && !key.cond
	if stray {
		from.strays.Add(1)
		a, repeat = &from.answers[len(from.answers)-1], true
	} else if i, ok := from.claim(); ok {
		a = &from.answers[i]
	} else {
		from.extra.Add(1)
		a, repeat = &from.answers[len(from.answers)-1], true
	}
	// A 304 is free when the request was authenticated, except for a
	// stray: GitHub would have answered it in full.
	if a.code == http.StatusNotModified && !stray && r.header.Get("Authorization") != "" {
		from.free.Add(1)
	}
	if graphql {
		est := gql.points
		if est == 0 {
			est = 1
		}
		used := est
		if gql.text != a.gqlText {
			from.edited.Add(1)
		} else if a.gqlCost >= 0 {
			used = a.gqlCost
		}
		from.points.Add(int64(used))
		from.estimated.Add(int64(est))
	}
	return a, repeat
}

// lookup finds the slot of key, or of key with any host when the request
// names none.
func (e *engine) lookup(key slotKey) *slot {
	s := e.index[key]
	if s == nil && e.anyHost != nil && key.host == "" {
		s = e.anyHost[key]
	}
	return s
}

// productOf is the GitHub a live request was made to.
func (e *engine) productOf(host string, prefixed bool) routes.Product {
	if host == "" && !prefixed {
		return e.product
	}
	return routes.ProductFor(host, prefixed, e.serverHosts())
}

// serverHosts are the hosts named as GitHub Enterprise Server.
func (e *engine) serverHosts() []string {
	return e.opts.InterceptHosts
}

// isConditional reports a request header that makes GitHub answer 304 when
// nothing changed.
func isConditional(h http.Header) bool {
	return len(h) > 0 && (h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "")
}

// refuse counts a CONNECT the Server refused, by host.
func (e *engine) refuse(host string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.refused == nil {
		e.refused = map[string]int{}
	}
	e.refused[host]++
}

// refuseCA counts a TLS handshake in which a client refused the Server's
// CA, by host.
func (e *engine) refuseCA(host string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.caRefused == nil {
		e.caRefused = map[string]int{}
	}
	e.caRefused[host]++
}

// maxGraphQLBody bounds what is read of a GraphQL request to name it.
const maxGraphQLBody = 8 << 20

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

func (e *engine) miss(key slotKey, gql gqlCall, product routes.Product) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := key
	k.cond = false // one unmatched entry per URL
	m := e.misses[k]
	if m == nil {
		r := routes.LookupIn(product, key.method, key.path)
		m = &missSlot{name: nameCall(r, key.op, key.method, gql.mutation), path: key.path}
		e.misses[k] = m
		e.missOrd = append(e.missOrd, m)
	}
	m.count++
	if gql.name != "" {
		m.points += max(gql.points, 1)
	}
}

// unmatchedBody is GitHub's own 404 shape, so clients raise their usual
// not-found error.
const unmatchedBody = `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404","callbudget":"no recorded interaction matches this request"}` + "\n"

func unmatchedHeader() http.Header {
	return http.Header{
		"Content-Type":          {"application/json; charset=utf-8"},
		UnmatchedHeader:         {"true"},
		"X-Ratelimit-Limit":     {"5000"},
		"X-Ratelimit-Remaining": {"5000"},
	}
}
