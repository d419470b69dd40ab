// Command loadgen is the bounded load generator of proxy_test.go: it sends
// -n GET requests to -url plus each of -paths in turn, -c at a time, and
// prints one JSON line: how many it sent, how many failed (a transport
// error or a status other than 2xx) and the latency percentiles in
// microseconds. It runs in its own process, so that the proxy under test
// shares no scheduler with its load.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL, without a trailing slash")
	paths := flag.String("paths", "/user", "comma-separated paths, sent in turn")
	n := flag.Int("n", 1000, "requests to send")
	c := flag.Int("c", 8, "requests in flight")
	header := flag.String("header", "", "a Name: value header to send with every request")
	flag.Parse()
	if *base == "" || *n <= 0 || *c <= 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -url, a positive -n and -c are required")
		os.Exit(2)
	}
	ps := strings.Split(*paths, ",")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c}, Timeout: 30 * time.Second}
	lat := make([]time.Duration, *n)
	var next, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	for range *c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				req, _ := http.NewRequest(http.MethodGet, *base+ps[i%len(ps)], nil)
				if name, value, ok := strings.Cut(*header, ":"); ok {
					req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode/100 != 2 {
						err = fmt.Errorf("%s: %s", req.URL.Path, resp.Status)
					}
				}
				lat[i] = time.Since(start)
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { fmt.Fprintln(os.Stderr, "loadgen:", err) })
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) int64 { return lat[int(p*float64(len(lat)-1))].Microseconds() }
	json.NewEncoder(os.Stdout).Encode(map[string]int64{
		"sent": int64(*n), "failed": failed.Load(),
		"p50_us": pct(.50), "p90_us": pct(.90), "p99_us": pct(.99),
	})
}
