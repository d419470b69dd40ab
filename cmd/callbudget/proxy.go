package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
	"github.com/callbudget/callbudget/internal/recorder"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
)

// Run grouping through the proxy: the header a client names its run with,
// and the path that ends a run (DELETE), answered by the proxy itself.
const (
	runHeader     = "X-Callbudget-Run"
	runsPath      = "/callbudget/runs/"
	maxRunIDBytes = 200
)

func (a *app) proxyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proxy [--listen ADDR] [--metrics ADDR] [--upstream URL] [--ca-cert FILE --ca-key FILE]",
		Short: "Forward to the GitHub API and count every call as Prometheus metrics",
		Long: `Run a reverse proxy in front of the GitHub API that any client can use as its
base URL (GITHUB_API_URL), and count every call the way callbudget check names
them: by route, REST operation and rate-limit resource. The metrics are served
at http://METRICS/metrics, with /healthz beside them; docs/metrics.md lists
them.

The proxy forwards as callbudget record does, recording nothing: the
upstream is --upstream, else GITHUB_API_URL, else https://api.github.com; the
token (GITHUB_TOKEN, else GH_TOKEN) is added to the upstream requests in place
of the client's; Link and Location headers and the API URLs in bodies are
rewritten to the proxy.

Clients that always call https://api.github.com (PyGithub with no base URL,
gh on its default host) are counted through HTTPS_PROXY pointed at the same
address, given a CA of the operator's that they trust (--ca-cert and
--ca-key, PEM files such as a Kubernetes secret's): the proxy answers
CONNECT, decrypts the connections to api.github.com, uploads.github.com and
the upstream's GitHub Enterprise Server host with leaf certificates it signs
with that CA, forwards their requests to the upstream and counts them in
the same metrics, with the same labels, as the base-URL clients'. Nothing
is rewritten for them: they get https://api.github.com URLs. Without the CA
those CONNECTs are refused (403). Connections to other hosts are tunnelled
untouched and not counted. Answers stream through, whatever their size.

Runs: calls that carry the header X-Callbudget-Run: ID are counted into the
run ID, whose number of calls is observed into callbudget_github_calls_per_run
when it ends: after --run-idle without a call naming it, on
DELETE /callbudget/runs/ID to the proxy, or at shutdown. The header is not
forwarded.

SIGTERM or SIGINT stops accepting, lets requests in flight finish (up to
--drain), ends the open runs and exits 0.`,
		Example: `  GITHUB_TOKEN=$(gh auth token) callbudget proxy --listen 127.0.0.1:8080 --metrics 127.0.0.1:9090
  GITHUB_API_URL=http://127.0.0.1:8080 GITHUB_TOKEN=unused python3 bot.py
  callbudget proxy --ca-cert /etc/callbudget-ca/tls.crt --ca-key /etc/callbudget-ca/tls.key
  HTTPS_PROXY=http://127.0.0.1:8080 REQUESTS_CA_BUNDLE=/etc/ssl/with-callbudget-ca.pem python3 bot.py`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.proxyServe(cmd.Context()) },
	}
	f := cmd.Flags()
	f.String("listen", "127.0.0.1:8080", "the proxy's address")
	f.String("metrics", "127.0.0.1:9090", "the address of /metrics and /healthz")
	f.String("upstream", "", "the API base URL to forward to (default: GITHUB_API_URL, else https://api.github.com)")
	f.String("upstream-ca", "", "PEM file of CA certificates to trust for the upstream, besides the system's")
	f.Duration("run-idle", 30*time.Second, "a run ends after this long without a call naming it")
	f.Bool("runs-by-route", false, "also observe each run's calls per route (callbudget_github_route_calls_per_run)")
	f.Duration("drain", 10*time.Second, "how long requests in flight may finish at shutdown")
	f.String("ca-cert", "", "PEM certificate of the CA that signs the certificates of the decrypted GitHub hosts (with --ca-key)")
	f.String("ca-key", "", "PEM private key of --ca-cert")
	return cmd
}

func (a *app) proxyServe(ctx context.Context) error {
	idle := a.v.GetDuration("run-idle")
	if idle <= 0 {
		return &usageError{fmt.Errorf("proxy: --run-idle %v: must be positive", idle)}
	}
	drain := a.v.GetDuration("drain")
	if drain <= 0 {
		return &usageError{fmt.Errorf("proxy: --drain %v: must be positive", drain)}
	}
	upstream := a.v.GetString("upstream")
	if upstream == "" {
		upstream = a.env.get(runner.EnvAPIURL)
	}
	if upstream == "" {
		upstream = recorder.DefaultUpstream
	}
	base, err := url.Parse(strings.TrimRight(upstream, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return &usageError{fmt.Errorf("proxy: --upstream %q is not an http(s) URL", upstream)}
	}
	transport, err := upstreamTransport(a.v.GetString("upstream-ca"))
	if err != nil {
		return err
	}
	var ca *intercept.CA
	certFile, keyFile := a.v.GetString("ca-cert"), a.v.GetString("ca-key")
	switch {
	case certFile != "" && keyFile != "":
		if ca, err = intercept.LoadCA(certFile, keyFile); err != nil {
			return &usageError{fmt.Errorf("proxy: %w", err)}
		}
	case certFile != "" || keyFile != "":
		return &usageError{errors.New("proxy: give both --ca-cert and --ca-key, or neither")}
	}
	token := a.env.get(runner.EnvToken)
	if token == "" {
		token = a.env.get(runner.EnvGHToken)
	}
	if token == "" {
		fmt.Fprintln(a.stderr, "callbudget: proxy: neither GITHUB_TOKEN nor GH_TOKEN is set; forwarding unauthenticated requests")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.New(reg, metrics.Options{BasePath: base.Path, RunRoutes: a.v.GetBool("runs-by-route")})
	runs := m.Runs(idle)
	defer runs.Close()

	mln, err := net.Listen("tcp", a.v.GetString("metrics"))
	if err != nil {
		return fmt.Errorf("proxy: --metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	mdone := make(chan error, 1)
	go func() { mdone <- msrv.Serve(mln) }()

	p, err := recorder.New(recorder.Options{
		Upstream:  base.String(),
		Token:     token,
		Transport: m.Transport(transport),
		Addr:      a.v.GetString("listen"),
		Discard:   true,
		Handler:   func(forward http.Handler) http.Handler { return runHandler(runs, forward) },
		CA:        ca,
		HandshakeFailed: func(err error) {
			fmt.Fprintf(a.stderr, "callbudget: proxy: %v\n", err)
		},
		NoCA: "callbudget proxy has no CA to decrypt it with: start it with --ca-cert FILE --ca-key FILE (a CA the client trusts) to count clients that call https://api.github.com through HTTPS_PROXY, or give the client the proxy as its base URL (GITHUB_API_URL)",
	})
	if err != nil {
		msrv.Close()
		return &usageError{fmt.Errorf("proxy: %w", err)}
	}
	fmt.Fprintf(a.stderr, "callbudget: proxy on %s forwarding to %s; metrics on http://%s/metrics\n", p.URL(), base, mln.Addr())
	if ca != nil {
		fmt.Fprintf(a.stderr, "callbudget: proxy: CONNECT to the GitHub API hosts decrypted with the CA of %s\n", certFile)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-mdone:
		serveErr = fmt.Errorf("proxy: metrics server: %w", serveErr)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	perr := p.Close(dctx)
	runs.Close() // observed before the last scrape can happen
	merr := msrv.Shutdown(dctx)
	if serveErr != nil {
		return serveErr
	}
	if err := errors.Join(perr, merr); err != nil {
		return fmt.Errorf("proxy: shutdown: %w", err)
	}
	fmt.Fprintln(a.stderr, "callbudget: proxy stopped")
	return nil
}

// runHandler answers DELETE /callbudget/runs/ID itself, and passes every
// other request on with the run its X-Callbudget-Run header names in its
// context, the header removed.
func runHandler(runs *metrics.Runs, forward http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, runsPath); ok {
			if r.Method != http.MethodDelete {
				w.Header().Set("Allow", http.MethodDelete)
				http.Error(w, "callbudget proxy: end a run with DELETE "+runsPath+"ID", http.StatusMethodNotAllowed)
				return
			}
			calls, found := runs.End(id)
			if !found {
				http.Error(w, "callbudget proxy: no open run with that id", http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, "{\"calls\":%d}\n", calls)
			return
		}
		id := r.Header.Get(runHeader)
		if id == "" {
			forward.ServeHTTP(w, r)
			return
		}
		if len(id) > maxRunIDBytes {
			http.Error(w, fmt.Sprintf("callbudget proxy: %s is over %d bytes", runHeader, maxRunIDBytes), http.StatusBadRequest)
			return
		}
		r.Header.Del(runHeader)
		if run := runs.Get(id); run != nil {
			r = r.WithContext(run.Context(r.Context()))
		}
		forward.ServeHTTP(w, r)
	})
}
