package routes

import "strings"

// fallbackTemplate turns a path the table does not know into a template, so
// that calls to the same unknown endpoint still group: identifiers that vary
// from call to call become parameters, names that do not stay as they are.
func fallbackTemplate(segs []string) string {
	if len(segs) == 0 {
		return "/"
	}
	var b strings.Builder
	for i := range segs {
		b.WriteByte('/')
		b.WriteString(fallbackSegment(segs, i))
	}
	return b.String()
}

func fallbackSegment(segs []string, i int) string {
	s := segs[i]
	switch {
	case i == 1 && segs[0] == "repos":
		return "{owner}"
	case i == 2 && segs[0] == "repos":
		return "{repo}"
	case i == 1 && segs[0] == "users":
		return "{username}"
	case i == 1 && segs[0] == "orgs":
		return "{org}"
	case i == 1 && segs[0] == "enterprises":
		return "{enterprise}"
	case isDigits(s):
		return "{number}"
	case (len(s) == 40 || len(s) == 64) && isHex(s):
		return "{sha}"
	case isUUID(s):
		return "{uuid}"
	}
	// A slash decoded from %2F is part of the value: keep it escaped, so the
	// template has as many segments as the path. Templates end up in reports
	// and JSON; keep them valid UTF-8.
	if strings.IndexByte(s, '/') >= 0 {
		s = strings.ReplaceAll(s, "/", "%2F")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// isUUID reports the 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return isHex(s[:8]) && isHex(s[9:13]) && isHex(s[14:18]) && isHex(s[19:23]) && isHex(s[24:])
}
