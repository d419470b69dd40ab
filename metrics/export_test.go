package metrics

import "github.com/prometheus/client_golang/prometheus"

// The collectors, for testutil.ToFloat64 in the tests.
func (m *Metrics) RequestsVec() *prometheus.CounterVec { return m.requests }
func (m *Metrics) PointsVec() *prometheus.CounterVec   { return m.points }
func (m *Metrics) RunsActive() prometheus.Gauge        { return m.active }

// BoundedResource is boundedResource, for the label allow-list's test.
func BoundedResource(r string) string { return boundedResource(r) }
