package budget

import (
	"errors"
	"testing"
)

func TestParseTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr bool
		str     string
		allowed map[int]int // baseline → allowed
	}{
		{in: "0", str: "0", allowed: map[int]int{0: 0, 13: 0, 1000: 0}},
		{in: "2", str: "2", allowed: map[int]int{0: 2, 13: 2}},
		{in: " 2 ", str: "2", allowed: map[int]int{13: 2}},
		{in: "5%", str: "5%", allowed: map[int]int{0: 0, 13: 0, 19: 0, 20: 1, 39: 1, 40: 2, 100: 5}},
		{in: "2.5%", str: "2.5%", allowed: map[int]int{39: 0, 40: 1, 100: 2, 1000: 25}},
		{in: "0.25%", str: "0.25%", allowed: map[int]int{399: 0, 400: 1}},
		{in: "100%", str: "100%", allowed: map[int]int{13: 13}},
		{in: "0%", str: "0%", allowed: map[int]int{13: 0}},
		{in: "1000%", str: "1000%", allowed: map[int]int{3: 30}},
		{in: "-1", wantErr: true},
		{in: "-5%", wantErr: true},
		{in: "+2", wantErr: true},
		{in: "", wantErr: true},
		{in: "%", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "2 calls", wantErr: true},
		{in: "5.%", wantErr: true},
		{in: ".5%", wantErr: true},
		{in: "5.123%", wantErr: true},
		{in: "5%%", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "2.5", wantErr: true},
		{in: "1001%", wantErr: true},
		{in: "1000001", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			tol, err := ParseTolerance(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidTolerance) {
					t.Errorf("ParseTolerance(%q) = %v, %v; want ErrInvalidTolerance", tt.in, tol, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTolerance(%q): %v", tt.in, err)
			}
			if got := tol.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			for base, want := range tt.allowed {
				if got := tol.Allowed(base); got != want {
					t.Errorf("ParseTolerance(%q).Allowed(%d) = %d, want %d", tt.in, base, got, want)
				}
			}
			var back Tolerance
			if err := back.UnmarshalText([]byte(tol.String())); err != nil || back != tol {
				t.Errorf("UnmarshalText(String()) = %v, %v; want %v", back, err, tol)
			}
		})
	}
}

func TestToleranceZeroValue(t *testing.T) {
	t.Parallel()
	var tol Tolerance
	if tol.Allowed(1000) != 0 || tol.String() != "0" {
		t.Errorf("zero Tolerance allows %d (%q)", tol.Allowed(1000), tol)
	}
}
