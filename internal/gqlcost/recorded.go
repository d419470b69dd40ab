package gqlcost

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
)

// RecordedCost reads the cost GitHub charged from a recorded GraphQL
// answer that asked for it: data.rateLimit.cost, or the cost of any other
// top-level field of data whose object has a numeric "cost" and
// "remaining" (rateLimit under an alias). rateLimit itself is preferred,
// then the aliases in name order. ok is false when the body holds no such
// object, or is not JSON.
func RecordedCost(body []byte) (cost int, ok bool) {
	var resp struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&resp) != nil || len(resp.Data) == 0 {
		return 0, false
	}
	if c, ok := rateLimitCost(resp.Data["rateLimit"]); ok {
		return c, true
	}
	keys := make([]string, 0, len(resp.Data))
	for k := range resp.Data {
		if k != "rateLimit" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if c, ok := rateLimitCost(resp.Data[k]); ok {
			return c, true
		}
	}
	return 0, false
}

// rateLimitCost reads the cost of one RateLimit object.
func rateLimitCost(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return 0, false
	}
	var rl struct {
		Cost      any `json:"cost"`
		Remaining any `json:"remaining"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&rl) != nil {
		return 0, false
	}
	cost, ok1 := rl.Cost.(json.Number)
	_, ok2 := rl.Remaining.(json.Number)
	if !ok1 || !ok2 {
		return 0, false
	}
	c, ok := number(cost)
	if !ok || c < 0 || c > math.MaxInt32 {
		return 0, false
	}
	return int(c), true
}
