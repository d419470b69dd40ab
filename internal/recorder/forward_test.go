package recorder_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/recorder"
)

// TestDiscardStreams: in Discard mode (callbudget proxy) an answer over
// the recording cap is forwarded whole, its first bytes reach the client
// before the upstream has sent the rest, a request body over the cap goes
// through, and the URLs of a text answer are still rewritten.
func TestDiscardStreams(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			w.Header().Set("Content-Type", "application/octet-stream")
			fmt.Fprintln(w, "first line")
			w.(http.Flusher).Flush()
			<-release
			fmt.Fprintln(w, "second line")
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			for range 4096 {
				fmt.Fprintf(w, `{"url":"http://%s/repos/o/r"}`+"\n", r.Host)
			}
		case "/upload":
			n, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, n)
		}
	}))
	t.Cleanup(up.Close)
	p := start(t, recorder.Options{Upstream: up.URL, Discard: true, MaxBodyBytes: 1024})

	resp, err := http.Get(p.URL() + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(resp.Body).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "first line\n" {
			t.Errorf("first line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Error("the first bytes did not reach the client before the upstream finished")
	}
	close(release)
	resp.Body.Close()

	_, body := get(t, "GET", p.URL()+"/big", "")
	if want := strings.Repeat(`{"url":"`+p.URL()+`/repos/o/r"}`+"\n", 4096); body != want {
		t.Errorf("big text answer: %d bytes, want %d, rewritten to the proxy", len(body), len(want))
	}
	_, body = get(t, "POST", p.URL()+"/upload", strings.Repeat("x", 1<<20))
	if body != fmt.Sprint(1<<20) {
		t.Errorf("the upstream got %s bytes of a 1 MiB request body", body)
	}
}
