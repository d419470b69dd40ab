// Command client is the scenario command of the runner's tests: a GitHub
// API client in its own process, pointed at the replay by the environment,
// as a real pipeline is. Its arguments are steps, run in order:
//
//	/repos/o/r     GET $GITHUB_API_URL/repos/o/r with the token, print "GET /repos/o/r 200"
//	env:NAME       print "NAME=value", or "NAME unset"
//	exit:N         exit with status N
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	base := os.Getenv("GITHUB_API_URL")
	for _, arg := range os.Args[1:] {
		switch {
		case strings.HasPrefix(arg, "env:"):
			name := strings.TrimPrefix(arg, "env:")
			if v, ok := os.LookupEnv(name); ok {
				fmt.Printf("%s=%s\n", name, v)
			} else {
				fmt.Printf("%s unset\n", name)
			}
		case strings.HasPrefix(arg, "exit:"):
			n, _ := strconv.Atoi(strings.TrimPrefix(arg, "exit:"))
			os.Exit(n)
		default:
			req, err := http.NewRequest(http.MethodGet, base+arg, nil)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			req.Header.Set("Authorization", "token "+os.Getenv("GITHUB_TOKEN"))
			req.Header.Set("Accept", "application/vnd.github+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Printf("GET %s %d\n", arg, resp.StatusCode)
		}
	}
}
