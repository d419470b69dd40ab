package gqlcost_test

import (
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

func TestRecordedCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		cost int
		ok   bool
	}{
		{name: "rateLimit", body: `{"data":{"viewer":{"login":"o"},"rateLimit":{"limit":5000,"cost":51,"remaining":4949,"resetAt":"2025-01-01T00:00:00Z"}}}`, cost: 51, ok: true},
		{name: "rateLimit under an alias", body: `{"data":{"rl":{"cost":3,"remaining":10},"viewer":{"login":"o"}}}`, cost: 3, ok: true},
		{name: "rateLimit preferred to an alias", body: `{"data":{"a":{"cost":9,"remaining":1},"rateLimit":{"cost":2,"remaining":1}}}`, cost: 2, ok: true},
		{name: "aliases in name order", body: `{"data":{"b":{"cost":9,"remaining":1},"a":{"cost":4,"remaining":1}}}`, cost: 4, ok: true},
		{name: "zero cost", body: `{"data":{"rateLimit":{"cost":0,"remaining":5000}}}`, cost: 0, ok: true},
		{name: "cost as a whole float", body: `{"data":{"rateLimit":{"cost":1.0,"remaining":5000}}}`, cost: 1, ok: true},
		{name: "no rateLimit", body: `{"data":{"viewer":{"login":"o"}}}`},
		{name: "cost without remaining", body: `{"data":{"x":{"cost":5}}}`},
		{name: "cost not a number", body: `{"data":{"rateLimit":{"cost":"5","remaining":1}}}`},
		{name: "negative cost", body: `{"data":{"rateLimit":{"cost":-1,"remaining":1}}}`},
		{name: "fractional cost", body: `{"data":{"rateLimit":{"cost":1.5,"remaining":1}}}`},
		{name: "huge cost", body: `{"data":{"rateLimit":{"cost":1e300,"remaining":1}}}`},
		{name: "null rateLimit", body: `{"data":{"rateLimit":null}}`},
		{name: "errors only", body: `{"errors":[{"message":"Something went wrong"}]}`},
		{name: "data null", body: `{"data":null,"errors":[]}`},
		{name: "not JSON", body: `<html>502</html>`},
		{name: "empty", body: ``},
		{name: "deeply nested", body: `{"data":{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cost, ok := gqlcost.RecordedCost([]byte(tc.body))
			if cost != tc.cost || ok != tc.ok {
				t.Errorf("RecordedCost = %d, %v; want %d, %v", cost, ok, tc.cost, tc.ok)
			}
		})
	}
}
