package metrics

import (
	"context"
	"sync"
	"time"
)

// Run is one unit of work (a pipeline run) whose calls are counted
// together: every call made with its Context is added to it, and End
// observes the total into callbudget_github_calls_per_run.
type Run struct {
	m       *Metrics
	mu      sync.Mutex
	calls   int
	byRoute map[call]int // with Options.RunRoutes
	ended   bool
}

// StartRun starts a run; end it with End.
func (m *Metrics) StartRun() *Run {
	r := &Run{m: m}
	if m.opts.RunRoutes {
		r.byRoute = map[call]int{}
	}
	m.active.Inc()
	return r
}

type runKey struct{}

// Context returns ctx carrying the run: requests made with it through
// Transport are counted into the run.
func (r *Run) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}

// WithRun starts a run and returns ctx carrying it, with the function that
// ends it:
//
//	ctx, end := m.WithRun(ctx)
//	defer end()
func (m *Metrics) WithRun(ctx context.Context) (context.Context, func() int) {
	r := m.StartRun()
	return r.Context(ctx), r.End
}

// RunFromContext returns the run ctx carries, or nil.
func RunFromContext(ctx context.Context) *Run {
	r, _ := ctx.Value(runKey{}).(*Run)
	return r
}

func (r *Run) add(c call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return // a call after End: counted in requests_total only
	}
	r.calls++
	if r.byRoute != nil {
		r.byRoute[call{method: c.method, route: c.route}]++
	}
}

// Calls is how many calls the run has made so far.
func (r *Run) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// End observes the run's calls into the histograms and returns their
// number. Only the first End observes; calls made afterwards with the
// run's context are not added to it.
func (r *Run) End() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return r.calls
	}
	r.ended = true
	r.m.active.Dec()
	r.m.perRun.Observe(float64(r.calls))
	for c, n := range r.byRoute {
		r.m.routePerRn.WithLabelValues(c.method, c.route).Observe(float64(n))
	}
	return r.calls
}

// Runs keeps runs by an id that clients choose (callbudget proxy's
// X-Callbudget-Run header): a run starts with its first call and ends when
// no call named it for the idle time, or on End. Its methods are safe for
// concurrent use.
type Runs struct {
	m    *Metrics
	idle time.Duration

	mu     sync.Mutex
	runs   map[string]*keptRun
	closed bool
}

type keptRun struct {
	run   *Run
	timer *time.Timer
}

// Runs returns an empty set of runs that end after idle without a call.
func (m *Metrics) Runs(idle time.Duration) *Runs {
	return &Runs{m: m, idle: idle, runs: map[string]*keptRun{}}
}

// Get returns the run named id, starting it if needed, and restarts its
// idle clock. After Close it returns nil.
func (rs *Runs) Get(id string) *Run {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil
	}
	if k, ok := rs.runs[id]; ok {
		k.timer.Reset(rs.idle)
		return k.run
	}
	k := &keptRun{run: rs.m.StartRun()}
	k.timer = time.AfterFunc(rs.idle, func() { rs.expire(id, k) })
	rs.runs[id] = k
	return k.run
}

func (rs *Runs) expire(id string, k *keptRun) {
	rs.mu.Lock()
	if rs.runs[id] != k {
		rs.mu.Unlock()
		return
	}
	delete(rs.runs, id)
	rs.mu.Unlock()
	k.run.End()
}

// End ends the run named id now, and reports its calls and whether it
// existed. The next call naming id starts a new run.
func (rs *Runs) End(id string) (calls int, ok bool) {
	rs.mu.Lock()
	k, ok := rs.runs[id]
	if ok {
		delete(rs.runs, id)
		k.timer.Stop()
	}
	rs.mu.Unlock()
	if !ok {
		return 0, false
	}
	return k.run.End(), true
}

// Len is the number of runs not ended.
func (rs *Runs) Len() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return len(rs.runs)
}

// Close ends every run, as at shutdown; Get returns nil afterwards.
func (rs *Runs) Close() {
	rs.mu.Lock()
	rs.closed = true
	kept := rs.runs
	rs.runs = map[string]*keptRun{}
	rs.mu.Unlock()
	for _, k := range kept {
		k.timer.Stop()
		k.run.End()
	}
}
