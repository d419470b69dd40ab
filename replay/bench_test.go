package replay

// Benchmarks of the replay engine against go-vcr v3.2.0 and against the
// cheapest thing that could answer the same requests (the floor), in one
// run, so the ratios in docs/PERFORMANCE.md come from one machine state.
// See that file for what each number means and how to reproduce it.

import (
	"bufio"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/testdeps"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

// benchSizes are the cassette sizes, in interactions, every benchmark
// family runs at.
var benchSizes = []int{100, 1_000, 10_000}

// BenchmarkRoundTrip replays every interaction of an N-interaction cassette
// once per iteration through an http.Client, in recorded and in shuffled
// order, with three RoundTrippers: the map floor, Transport and go-vcr's
// recorder. ns/op, B/op and allocs/op are per request, averaged over whole
// passes: go-vcr's cost depends on where in the pass a request falls, so a
// partial pass would bias it. Each pass starts from the state a replay
// starts in, restored untimed and without allocating: Transport's served
// counters at zero, go-vcr's interactions all unreplayed.
func BenchmarkRoundTrip(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			path, _ := benchCassetteFile(b, n)
			c, err := Load(path, LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var urls []string
			var wantLen []int
			for _, in := range c.Interactions {
				urls = append(urls, in.Request.URL)
				wantLen = append(wantLen, len(in.Response.Body))
			}
			orders := map[string][]*http.Request{}
			wants := map[string][]int{}
			for _, order := range []string{"recorded", "shuffled"} {
				for _, j := range benchOrder(order, n) {
					req, err := http.NewRequest(http.MethodGet, urls[j], nil)
					if err != nil {
						b.Fatal(err)
					}
					orders[order] = append(orders[order], req)
					wants[order] = append(wants[order], wantLen[j])
				}
			}
			// Each implementation is built once for both orders, and
			// only what it needs is live while it runs (go-vcr holds its
			// own copy of the cassette), so the GC scans comparable
			// heaps.
			impls := []struct {
				name  string
				build func(b *testing.B) (rt http.RoundTripper, reset func())
			}{
				{"floor", func(*testing.B) (http.RoundTripper, func()) { return newBenchFloorTransport(c), nil }},
				{"callbudget", func(*testing.B) (http.RoundTripper, func()) {
					t := NewTransport(c, Options{})
					return t, func() { benchResetTransport(t) }
				}},
				{"govcr", func(b *testing.B) (http.RoundTripper, func()) {
					c = nil
					return benchGoVCR(b, path)
				}},
			}
			for _, impl := range impls {
				if !benchMatches(b, "impl="+impl.name) {
					continue
				}
				runtime.GC()
				rt, reset := impl.build(b)
				for _, order := range []string{"recorded", "shuffled"} {
					b.Run("impl="+impl.name+"/order="+order, func(b *testing.B) {
						benchPasses(b, rt, reset, orders[order], wants[order])
					})
				}
			}
		})
	}
}

// BenchmarkNewTransport measures building the matcher from a loaded
// cassette, per interaction: what a replay pays once before its first
// request, against building the floor's map. It keeps the request-path
// numbers above honest: work moved out of RoundTrip into NewTransport
// shows up here.
func BenchmarkNewTransport(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			path, _ := benchCassetteFile(b, n)
			c, err := Load(path, LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			impls := []struct {
				name  string
				build func() http.RoundTripper
			}{
				{"floor", func() http.RoundTripper { return newBenchFloorTransport(c) }},
				{"callbudget", func() http.RoundTripper { return NewTransport(c, Options{}) }},
			}
			for _, impl := range impls {
				b.Run("impl="+impl.name, func(b *testing.B) {
					b.ReportAllocs()
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					builds := 0
					for b.Loop() {
						impl.build()
						builds++
					}
					runtime.ReadMemStats(&after)
					per := float64(builds * n)
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/op")
					b.ReportMetric(math.Round(float64(after.Mallocs-before.Mallocs)/per), "allocs/op")
					b.ReportMetric(math.Round(float64(after.TotalAlloc-before.TotalAlloc)/per), "B/op")
				})
			}
		})
	}
}

// benchMatches reports whether sub-benchmark name, or one below it, can
// run under -test.bench, so that an implementation is not built (go-vcr
// loads the file again) for nothing. b.Run decides for real; this only
// has to be no stricter than it.
func benchMatches(b *testing.B, name string) bool {
	pat := flag.Lookup("test.bench")
	if pat == nil {
		return true
	}
	parts := strings.Split(pat.Value.String(), "/")
	depth := strings.Count(b.Name(), "/") + 1 // this level's index in parts
	if depth >= len(parts) {
		return true
	}
	ok, err := regexp.MatchString(parts[depth], name)
	return err != nil || ok
}

// benchResetTransport puts t back in the state NewTransport left it in:
// nothing served, nothing missed. It allocates nothing, so no garbage from
// one pass's set-up is collected during the next pass's timing.
func benchResetTransport(t *Transport) {
	for _, s := range t.e.slots {
		s.claimed.Store(0)
		s.extra.Store(0)
		s.free.Store(0)
		s.strays.Store(0)
		s.points.Store(0)
		s.estimated.Store(0)
		s.edited.Store(0)
	}
	t.e.mu.Lock()
	clear(t.e.misses)
	t.e.missOrd = nil
	t.e.mu.Unlock()
}

// benchOrder is the order requests are made in: the recorded one, or a
// fixed-seed permutation of it.
func benchOrder(order string, n int) []int {
	if order == "recorded" {
		p := make([]int, n)
		for i := range p {
			p[i] = i
		}
		return p
	}
	return rand.New(rand.NewPCG(2024, uint64(n))).Perm(n)
}

// benchPasses times whole passes over reqs through an http.Client on rt.
// reset, when not nil, runs untimed before every pass but the first (in Go
// 1.26 StopTimer reads the clock before its ReadMemStats, so the pause adds
// nothing to the timed total). Every answer is checked (status and body
// length) inside the timed loop: two compares, the same for every
// implementation, and no separate check pass.
func benchPasses(b *testing.B, rt http.RoundTripper, reset func(), reqs []*http.Request, want []int) {
	client := &http.Client{Transport: rt}
	if reset != nil {
		reset()
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	passes := 0
	for b.Loop() {
		if passes > 0 && reset != nil {
			b.StopTimer()
			reset()
			b.StartTimer()
		}
		passes++
		for i, req := range reqs {
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || int(n) != want[i] {
				b.Fatalf("%s: got %d with %d bytes, want 200 with %d", req.URL, resp.StatusCode, n, want[i])
			}
		}
	}
	runtime.ReadMemStats(&after)
	perReq := float64(passes * len(reqs))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perReq, "ns/op")
	b.ReportMetric(math.Round(float64(after.Mallocs-before.Mallocs)/perReq), "allocs/op")
	b.ReportMetric(math.Round(float64(after.TotalAlloc-before.TotalAlloc)/perReq), "B/op")
}

// benchFloorTransport is the least a RoundTripper can do to answer from a
// cassette: look up method+" "+URL in a map and wrap the recorded header
// map and body in a fresh response. No normalisation, no counting, no
// defensive copy of the header.
type benchFloorTransport struct {
	answers map[string]*benchFloorAnswer
}

type benchFloorAnswer struct {
	code   int
	status string
	header http.Header
	body   string
}

func newBenchFloorTransport(c *Cassette) *benchFloorTransport {
	t := &benchFloorTransport{answers: make(map[string]*benchFloorAnswer, len(c.Interactions))}
	for _, in := range c.Interactions {
		r := &in.Response
		t.answers[in.Request.Method+" "+in.Request.URL] = &benchFloorAnswer{code: r.Code, status: r.Status, header: r.Headers, body: r.Body}
	}
	return t
}

func (t *benchFloorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a := t.answers[req.Method+" "+req.URL.String()]
	if a == nil {
		return nil, fmt.Errorf("floor: no answer for %s %s", req.Method, req.URL)
	}
	body := &benchCannedBody{}
	body.Reset(a.body)
	return &http.Response{
		Status: a.status, StatusCode: a.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header, Body: body, ContentLength: int64(len(a.body)),
		Request: req,
	}, nil
}

// benchCannedBody is a response body over a recorded string: one allocation,
// and io.Copy uses its WriteTo.
type benchCannedBody struct{ strings.Reader }

func (*benchCannedBody) Close() error { return nil }

// benchGoVCR is go-vcr's recorder replaying the cassette at path, as a
// go-vcr user sets it up, and a reset that makes every interaction
// replayable again. go-vcr marks an interaction replayed when it serves it
// and then skips it, so a second pass needs a fresh state. Reloading the
// file costs seconds at N=10,000; SetReplayableInteractions(true) changes
// the algorithm (every lookup rescans, and calls the matcher on, all
// interactions before the match). Instead reset copies back each
// interaction's state as loaded: the state a fresh recorder has, for a
// memcpy of N structs. The interaction pointers come from an
// OnRecorderStopHook, go-vcr's public way to visit them; Stop in
// ModeReplayOnly writes nothing.
func benchGoVCR(b *testing.B, path string) (http.RoundTripper, func()) {
	rec, err := recorder.NewWithOptions(&recorder.Options{
		CassetteName:       strings.TrimSuffix(path, ".yaml"),
		Mode:               recorder.ModeReplayOnly,
		SkipRequestLatency: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	var live []*cassette.Interaction
	rec.AddHook(func(i *cassette.Interaction) error {
		live = append(live, i)
		return nil
	}, recorder.OnRecorderStopHook)
	if err := rec.Stop(); err != nil {
		b.Fatal(err)
	}
	loaded := make([]cassette.Interaction, len(live))
	for i, p := range live {
		loaded[i] = *p
	}
	return rec, func() {
		for i, p := range live {
			*p = loaded[i]
		}
	}
}

// BenchmarkServer measures requests per second over loopback with a
// keep-alive net/http client: replay.Server against a bare httptest server
// that looks the request up in a map and writes the recorded headers and
// body. clients=1 is one client goroutine; clients=4 is RunParallel with
// SetParallelism chosen so that 4 goroutines (2 per P at GOMAXPROCS=2)
// share one http.Client. Client and server share the machine's cores.
// ns/op is per request; conns counts the connections the client dialled.
func BenchmarkServer(b *testing.B) {
	const n = 1_000
	path, _ := benchCassetteFile(b, n)
	c, err := Load(path, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	pqs := make([]string, n)
	for i := range pqs {
		pqs[i] = benchRequestPath(i)
	}
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			b.Run("impl=floor", func(b *testing.B) {
				srv := httptest.NewServer(benchFloorHandler(c))
				defer srv.Close()
				benchServe(b, srv.URL, pqs, clients, nil)
			})
			b.Run("impl=callbudget", func(b *testing.B) {
				srv, err := NewServer(c, Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Close()
				benchServe(b, srv.URL(), pqs, clients, nil)
			})
			// The interception face: the same requests to
			// https://api.github.com through the Server as HTTPS proxy,
			// over TLS, on kept-alive connections (HTTP/2, as Go's
			// client negotiates it), so the handshakes are amortised.
			b.Run("impl=intercepted", func(b *testing.B) {
				srv, err := NewServer(c, Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Close()
				proxy, _ := url.Parse(srv.URL())
				benchServe(b, "https://api.github.com", pqs, clients, func(tr *http.Transport) {
					tr.Proxy = http.ProxyURL(proxy)
					tr.TLSClientConfig = &tls.Config{RootCAs: srv.CA().Pool()}
					tr.ForceAttemptHTTP2 = true
				})
			})
		})
	}
}

// benchServe sends the requests pqs on base with clients goroutines;
// setup, when not nil, configures the client's transport.
func benchServe(b *testing.B, base string, pqs []string, clients int, setup func(*http.Transport)) {
	// Dials are counted to show the client keeps its connections alive:
	// conns should be the number of client goroutines, not b.N.
	var dials atomic.Int64
	dialer := &net.Dialer{}
	tr := &http.Transport{
		MaxIdleConnsPerHost: 2 * clients,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}
	if setup != nil {
		setup(tr)
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	// Every client goroutine gets its own requests, starting at a
	// different place in the list.
	newList := func(start int) []*http.Request {
		reqs := make([]*http.Request, len(pqs))
		for i := range reqs {
			req, err := http.NewRequest(http.MethodGet, base+pqs[(start+i)%len(pqs)], nil)
			if err != nil {
				b.Fatal(err)
			}
			reqs[i] = req
		}
		return reqs
	}
	do := func(req *http.Request) error {
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: status %d", req.URL, resp.StatusCode)
		}
		return err
	}
	b.ReportAllocs()
	if clients == 1 {
		reqs := newList(0)
		for _, req := range reqs {
			if err := do(req); err != nil {
				b.Fatal(err)
			}
		}
		i := 0
		for b.Loop() {
			if err := do(reqs[i]); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(reqs) {
				i = 0
			}
		}
	} else {
		procs := runtime.GOMAXPROCS(0)
		p := max(1, (clients+procs-1)/procs)
		lists := make([][]*http.Request, p*procs)
		for g := range lists {
			lists[g] = newList(g * len(pqs) / len(lists))
		}
		for _, req := range lists[0] {
			if err := do(req); err != nil {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		b.SetParallelism(p)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			reqs := lists[int(next.Add(1)-1)%len(lists)]
			i := 0
			for pb.Next() {
				if err := do(reqs[i]); err != nil {
					b.Error(err)
					return
				}
				if i++; i == len(reqs) {
					i = 0
				}
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(dials.Load()), "conns")
}

type benchURIKey struct{ method, uri string }

// benchFloorHandler answers a recorded request-URI with the recorded
// header map and body, nothing else: what any loopback stub must do.
func benchFloorHandler(c *Cassette) http.Handler {
	type canned struct {
		code   int
		header http.Header
		clen   []string
		body   string
	}
	m := make(map[benchURIKey]*canned, len(c.Interactions))
	for _, in := range c.Interactions {
		uri := strings.TrimPrefix(in.Request.URL, "https://api.github.com")
		r := &in.Response
		m[benchURIKey{in.Request.Method, uri}] = &canned{code: r.Code, header: r.Headers, clen: []string{strconv.Itoa(len(r.Body))}, body: r.Body}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := m[benchURIKey{r.Method, r.RequestURI}]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		h["Content-Length"] = a.clen
		w.WriteHeader(a.code)
		io.WriteString(w, a.body)
	})
}

// BenchmarkLoad reads and decodes an N-interaction cassette file with
// go-vcr's cassette.Load and with replay.Load. MB/s is of the file. Peak
// heap is measured once per benchmark in a fresh process (see
// peakHeapChild), where nothing else is live and the GC paces
// itself as it would in a command that loads one cassette: peak-heap-B is
// the most heap the load held at once, retained-B what the loaded cassette
// keeps after a GC, peak-heap/file the peak over the file size.
func BenchmarkLoad(b *testing.B) {
	loaders := []struct {
		name string
		load func(path string) (any, error)
	}{
		{"govcr", func(path string) (any, error) { return cassette.Load(strings.TrimSuffix(path, ".yaml")) }},
		{"callbudget", func(path string) (any, error) { return Load(path, LoadOptions{}) }},
	}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			path, size := benchCassetteFile(b, n)
			for _, l := range loaders {
				b.Run("impl="+l.name, func(b *testing.B) {
					peak, retained, err := peakHeapInChild(l.name, path)
					if err != nil {
						b.Fatal(err)
					}
					b.SetBytes(size)
					b.ReportAllocs()
					for b.Loop() {
						if _, err := l.load(path); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(peak), "peak-heap-B")
					b.ReportMetric(float64(retained), "retained-B")
					b.ReportMetric(float64(peak)/float64(size), "peak-heap/file")
				})
			}
		})
	}
}

const (
	peakHeapLoaderEnv = "CALLBUDGET_BENCH_PEAKHEAP_LOADER"
	peakHeapFileEnv   = "CALLBUDGET_BENCH_PEAKHEAP_FILE"
	peakHeapPrefix    = "callbudget-peak-heap:"
)

// TestMain runs the test binary as BenchmarkLoad's peak-heap child
// (peakHeapChild) when peakHeapInChild started it, and runs the tests and
// benchmarks otherwise.
func TestMain(m *testing.M) {
	if loader := os.Getenv(peakHeapLoaderEnv); loader != "" {
		if err := peakHeapChild(loader, os.Getenv(peakHeapFileEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "peak-heap child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The child is this binary: under go test -cover it needs a GOCOVERDIR.
	coverCleanup, err := testdeps.ChildCoverDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	coverCleanup()
	os.Exit(code)
}

// peakHeapInChild runs this test binary again, alone, to load path once
// with the named loader and report its heap (TestMain runs peakHeapChild,
// not the tests, when the loader's variable is set).
func peakHeapInChild(loader, path string) (peak, retained uint64, err error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), peakHeapLoaderEnv+"="+loader, peakHeapFileEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("peak-heap child: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), peakHeapPrefix); ok {
			if _, err := fmt.Sscan(rest, &peak, &retained); err != nil {
				return 0, 0, fmt.Errorf("peak-heap child: %q: %v", sc.Text(), err)
			}
			return peak, retained, nil
		}
	}
	return 0, 0, fmt.Errorf("peak-heap child printed no result:\n%s", out)
}

// peakHeapChild is BenchmarkLoad's child process, run by TestMain before
// any test. After a GC it loads the file once while another goroutine
// samples the heap (live objects plus garbage not yet swept, the
// runtime/metrics class /memory/classes/heap/objects:bytes) every 20µs,
// and prints the peak and, after another GC, what the result retains, both
// above the heap before the load.
func peakHeapChild(loader, path string) error {
	if path == "" {
		return fmt.Errorf("%s is not set", peakHeapFileEnv)
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := heap()
	var (
		peak atomic.Uint64
		stop atomic.Bool
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for !stop.Load() {
			if h := heap(); h > peak.Load() {
				peak.Store(h)
			}
			time.Sleep(20 * time.Microsecond)
		}
	})
	var v any
	var err error
	switch loader {
	case "govcr":
		v, err = cassette.Load(strings.TrimSuffix(path, ".yaml"))
	case "callbudget":
		v, err = Load(path, LoadOptions{})
	default:
		err = fmt.Errorf("unknown loader %q", loader)
	}
	stop.Store(true)
	wg.Wait()
	if err != nil {
		return err
	}
	if h := heap(); h > peak.Load() {
		peak.Store(h)
	}
	runtime.GC()
	retained := heap()
	runtime.KeepAlive(v)
	fmt.Printf("%s %d %d\n", peakHeapPrefix, peak.Load()-base, retained-base)
	return nil
}
