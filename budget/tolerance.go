package budget

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Tolerance is how many calls a scenario may make over its baseline and
// still pass: a number of calls ("2") or a share of the baseline total
// ("5%", "2.5%"). The zero value allows none.
type Tolerance struct {
	calls int
	// bp is the share in hundredths of a percent (basis points), when
	// relative.
	bp       int
	relative bool
}

// Limits on a tolerance, far above any sensible one, so Allowed cannot
// overflow.
const (
	maxCalls = 1_000_000
	maxBP    = 1000 * 100 // 1000%
)

// ParseTolerance reads a tolerance as written in the config: a whole
// number of calls ("0", "2") or a percentage with up to two decimals
// ("5%", "2.5%"). Negative, empty or other values are errors wrapping
// [ErrInvalidTolerance].
func ParseTolerance(s string) (Tolerance, error) {
	in := strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(in, "%"); ok {
		bp, err := parseHundredths(strings.TrimSpace(pct))
		if err != nil || bp > maxBP {
			return Tolerance{}, fmt.Errorf("%w %q: want a number of calls (2) or a percentage from 0%% to 1000%% (5%%)", ErrInvalidTolerance, s)
		}
		return Tolerance{bp: bp, relative: true}, nil
	}
	n, err := strconv.Atoi(in)
	if err != nil || n < 0 || n > maxCalls || strings.HasPrefix(in, "+") {
		return Tolerance{}, fmt.Errorf("%w %q: want a number of calls from 0 (2) or a percentage (5%%)", ErrInvalidTolerance, s)
	}
	return Tolerance{calls: n}, nil
}

// ErrInvalidTolerance is wrapped by the errors of [ParseTolerance].
var ErrInvalidTolerance = errors.New("invalid tolerance")

// parseHundredths reads "5", "2.5" or "0.25" as hundredths: 500, 250, 25.
func parseHundredths(s string) (int, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 7 || !digits(whole) || hasFrac && (frac == "" || len(frac) > 2 || !digits(frac)) {
		return 0, fmt.Errorf("bad percentage %q", s)
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if hasFrac {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Allowed is the number of calls over baseline the tolerance allows: the
// absolute number, or the share of baseline rounded down (5% of 13 is 0).
func (t Tolerance) Allowed(baseline int) int {
	if !t.relative {
		return t.calls
	}
	if baseline <= 0 {
		return 0
	}
	return int(int64(baseline) * int64(t.bp) / 10000)
}

// String writes the tolerance as ParseTolerance reads it.
func (t Tolerance) String() string {
	if !t.relative {
		return strconv.Itoa(t.calls)
	}
	s := strconv.Itoa(t.bp / 100)
	switch f := t.bp % 100; {
	case f%10 == 0 && f != 0:
		s += "." + strconv.Itoa(f/10)
	case f != 0:
		s += fmt.Sprintf(".%02d", f)
	}
	return s + "%"
}

// MarshalText implements [encoding.TextMarshaler].
func (t Tolerance) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler], so a config decoder
// reads "5%" and 2 alike.
func (t *Tolerance) UnmarshalText(b []byte) error {
	v, err := ParseTolerance(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
