package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/routes"
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names, the contract of docs/metrics.md.
const (
	NameRequests          = "callbudget_github_requests_total"
	NameSecondaryPoints   = "callbudget_github_secondary_points_total"
	NameRateLimitRemain   = "callbudget_github_ratelimit_remaining"
	NameRateLimitLimit    = "callbudget_github_ratelimit_limit"
	NameRateLimitUsed     = "callbudget_github_ratelimit_used"
	NameRequestDuration   = "callbudget_github_request_duration_seconds"
	NameCallsPerRun       = "callbudget_github_calls_per_run"
	NameRouteCallsPerRun  = "callbudget_github_route_calls_per_run"
	NameRunsActive        = "callbudget_github_runs_active"
	OtherLabel            = "other" // the route or resource of what the tables do not know
	StatusClassError      = "error" // the status class of a call that got no answer
	defaultCallsPerRunMax = 4096
)

// Options configures Metrics. The zero value is ready to use.
type Options struct {
	// BasePath is the path of the API base URL the transport's requests
	// go to ("/prefix" for http://host/prefix/), stripped before a call is
	// named. GitHub Enterprise Server's /api/v3 needs no BasePath:
	// replay.NormalizePath strips it.
	BasePath string
	// DurationBuckets are the request duration histogram's buckets, in
	// seconds; nil is 5 ms to 10 s.
	DurationBuckets []float64
	// RunBuckets are the calls-per-run histograms' buckets; nil is 1, 2,
	// 4, … 4096.
	RunBuckets []float64
	// RunRoutes also observes, when a run ends, how many calls it made to
	// each route it called, into callbudget_github_route_calls_per_run
	// {method,route} (bounded like requests_total's route label).
	RunRoutes bool
}

// Metrics holds the collectors. Its methods are safe for concurrent use.
type Metrics struct {
	opts       Options
	requests   *prometheus.CounterVec
	points     *prometheus.CounterVec
	remaining  *prometheus.GaugeVec
	limit      *prometheus.GaugeVec
	used       *prometheus.GaugeVec
	duration   *prometheus.HistogramVec
	perRun     prometheus.Histogram
	routePerRn *prometheus.HistogramVec
	active     prometheus.Gauge
}

// New creates the collectors and registers them with reg (it panics, as
// prometheus.MustRegister does, when reg already holds them).
func New(reg prometheus.Registerer, opts Options) *Metrics {
	opts.BasePath = strings.TrimRight(opts.BasePath, "/")
	if opts.DurationBuckets == nil {
		opts.DurationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	}
	if opts.RunBuckets == nil {
		opts.RunBuckets = prometheus.ExponentialBucketsRange(1, defaultCallsPerRunMax, 13)
	}
	m := &Metrics{
		opts: opts,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRequests,
			Help: "GitHub API calls by method, route template, REST operation, rate-limit resource and status class (2xx…5xx, or error when no answer came).",
		}, []string{"method", "route", "operation", "resource", "status_class"}),
		points: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameSecondaryPoints,
			Help: "Secondary rate limit points spent: 1 per GET, HEAD or OPTIONS, 5 per POST, PATCH, PUT or DELETE (GitHub allows 900 a minute on REST).",
		}, []string{"resource"}),
		remaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameRateLimitRemain,
			Help: "X-RateLimit-Remaining of the last answer per rate-limit resource.",
		}, []string{"resource"}),
		limit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameRateLimitLimit,
			Help: "X-RateLimit-Limit of the last answer per rate-limit resource.",
		}, []string{"resource"}),
		used: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameRateLimitUsed,
			Help: "X-RateLimit-Used of the last answer per rate-limit resource.",
		}, []string{"resource"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    NameRequestDuration,
			Help:    "Time from sending a GitHub API call to its response headers, by route template.",
			Buckets: opts.DurationBuckets,
		}, []string{"route"}),
		perRun: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    NameCallsPerRun,
			Help:    "GitHub API calls per pipeline run, observed when a run ends.",
			Buckets: opts.RunBuckets,
		}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameRunsActive,
			Help: "Runs started and not yet ended.",
		}),
	}
	cs := []prometheus.Collector{m.requests, m.points, m.remaining, m.limit, m.used, m.duration, m.perRun, m.active}
	if opts.RunRoutes {
		m.routePerRn = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    NameRouteCallsPerRun,
			Help:    "GitHub API calls per pipeline run to each route the run called, observed when a run ends.",
			Buckets: opts.RunBuckets,
		}, []string{"method", "route"})
		cs = append(cs, m.routePerRn)
	}
	reg.MustRegister(cs...)
	return m
}

// call is how one request is named in labels.
type call struct {
	method, route, operation, resource string
}

// name names a request: a template of the route table, or "other" for a
// path it does not know (a fallback template would grow with the
// traffic's distinct paths).
//
// path is the escaped path (url.URL.EscapedPath), so that %2F inside a
// value stays in it; host picks the GitHub whose description names the
// call (routes.ProductFor: *.ghe.com is Enterprise Cloud, an /api/v3
// path Enterprise Server).
func (m *Metrics) name(method, host, path string) call {
	if m.opts.BasePath != "" {
		if rest, ok := strings.CutPrefix(path, m.opts.BasePath); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}
	norm, server := replay.NormalizeAPIPath(routes.CanonicalPath(path))
	rt := routes.LookupIn(routes.ProductFor(host, server, nil), method, norm)
	c := call{method: rt.Method, route: OtherLabel, resource: boundedResource(rt.Resource)}
	if !knownMethod(c.method) {
		c.method = OtherLabel
	}
	if rt.Known {
		c.route, c.operation = rt.Template, rt.Operation
	}
	return c
}

// Transport returns a RoundTripper that sends through base (nil is
// http.DefaultTransport) and counts every call. A request whose context
// carries a Run (Run.Context) is also counted into that run.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{m: m, base: base}
}

type transport struct {
	m    *Metrics
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	m := t.m
	c := m.name(req.Method, req.URL.Host, req.URL.EscapedPath())
	if r := RunFromContext(req.Context()); r != nil {
		r.add(c)
	}
	m.points.WithLabelValues(c.resource).Add(secondaryPoints(c.method))
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	m.duration.WithLabelValues(c.route).Observe(time.Since(start).Seconds())
	class := StatusClassError
	if err == nil {
		class = statusClass(resp.StatusCode)
		m.rateLimit(resp.Header, c.resource)
	}
	m.requests.WithLabelValues(c.method, c.route, c.operation, c.resource, class).Inc()
	return resp, err
}

// rateLimit sets the gauges from an answer's X-RateLimit-* headers, under
// the resource the answer names, else the call's.
func (m *Metrics) rateLimit(h http.Header, resource string) {
	if r := h.Get("X-RateLimit-Resource"); r != "" {
		resource = boundedResource(r)
	}
	for _, g := range []struct {
		header string
		gauge  *prometheus.GaugeVec
	}{
		{"X-RateLimit-Remaining", m.remaining},
		{"X-RateLimit-Limit", m.limit},
		{"X-RateLimit-Used", m.used},
	} {
		if v, err := strconv.ParseFloat(strings.TrimSpace(h.Get(g.header)), 64); err == nil {
			g.gauge.WithLabelValues(resource).Set(v)
		}
	}
}

// secondaryPoints is what a call costs against GitHub's secondary rate
// limit on REST: 1 for a read, 5 for a write.
func secondaryPoints(method string) float64 {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return 5
	}
	return 1
}

func statusClass(code int) string {
	switch {
	case code >= 100 && code < 600:
		return strconv.Itoa(code/100) + "xx"
	}
	return OtherLabel
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// resources are the rate-limit resources GitHub has, routes' one list
// (source_import and code_scanning_upload included, which GET /rate_limit
// no longer returns: an older GitHub Enterprise Server still sends them);
// an X-RateLimit-Resource outside them is "other", so that an upstream
// cannot grow the label set.
var resources = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range routes.Resources() {
		m[r] = true
	}
	return m
}()

func boundedResource(r string) string {
	if resources[r] {
		return r
	}
	return OtherLabel
}
