package replay

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

// gqlCall is what the engine knows of one GraphQL request: how it is
// named, what it asked in words, and what GitHub's published algorithm
// says it costs.
type gqlCall struct {
	// name is the operation's name, else its kind and root selection
	// ("query repository.pullRequest"); "" when the body is not a GraphQL
	// request at all.
	name string
	// alt is, for an anonymous operation, its kind and first root field
	// ("query repository"): what an edited query is matched by when its
	// name no longer matches any recording.
	alt      string
	mutation bool
	// text is the query with its whitespace collapsed, to tell an edited
	// query from the one recorded.
	text string
	// points is the estimated primary cost (at least 1).
	points int
}

// parseGraphQL reads a POST /graphql body. A document gqlcost cannot
// parse is still named (by its operationName, the name in its text, or a
// hash of the text) and costs 1 point, GitHub's minimum.
func parseGraphQL(body []byte) gqlCall {
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if len(body) == 0 || json.Unmarshal(body, &req) != nil || req.Query == "" && req.OperationName == "" {
		return gqlCall{}
	}
	c := gqlCall{text: strings.Join(strings.Fields(req.Query), " "), points: 1}
	info, err := gqlcost.Analyze(req.Query, req.OperationName, req.Variables)
	if err != nil {
		c.name, c.mutation = graphQLOp(body)
		return c
	}
	c.mutation = info.Kind == "mutation"
	c.points = info.Points
	switch {
	case req.OperationName != "":
		c.name = req.OperationName
	case !info.Anonymous:
		c.name = info.Name
	case info.Name == "":
		c.name, _ = graphQLOp(body)
	default:
		c.name = info.Kind + " " + info.Name
		first, _, _ := strings.Cut(info.Name, ".")
		first, _, _ = strings.Cut(first, "+")
		c.alt = info.Kind + " " + first
	}
	return c
}

// recordedGraphQLCost is the cost a recorded GraphQL answer shows: the
// rateLimit.cost it asked for, else the step of X-RateLimit-Used from the
// previous GraphQL answer of the same window (prev, updated here); -1 when
// the recording does not say.
func recordedGraphQLCost(r *cassetteResponse, h http.Header, prev *rateWindow) int {
	cost := -1
	if h.Get("Content-Encoding") == "" {
		if c, ok := gqlcost.RecordedCost([]byte(r.Body)); ok {
			cost = c
		}
	}
	if res := h.Get("X-Ratelimit-Resource"); res != "" && res != "graphql" {
		return cost
	}
	used, err1 := strconv.Atoi(h.Get("X-Ratelimit-Used"))
	reset := h.Get("X-Ratelimit-Reset")
	if err1 != nil || reset == "" {
		return cost
	}
	if cost < 0 && prev.reset == reset && used > prev.used {
		cost = used - prev.used
	}
	prev.used, prev.reset = used, reset
	return cost
}

// rateWindow is the last X-RateLimit-Used and -Reset seen on the graphql
// resource while loading.
type rateWindow struct {
	used  int
	reset string
}
