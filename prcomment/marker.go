package prcomment

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// The marker is the body's first line and the metadata its second, both
// HTML comments GitHub does not show. Neither holds anything from the
// report: the key is hashed, the head SHA is checked to be hex, so no
// string from a cassette can close them.
const (
	markerPrefix = "<!-- callbudget:comment key="
	metaPrefix   = "<!-- callbudget:meta "
	commentEnd   = " -->"
	metaVersion  = 1
)

// Marker is the hidden first line that finds the comment again: the key
// (the config path, so each config of a repository has its own comment)
// hashed to 12 hex digits.
func Marker(key string) string {
	return markerPrefix + keyHash(key) + commentEnd
}

func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:12]
}

// Meta is what a comment body says about itself in its first two lines.
type Meta struct {
	// KeyHash is the hashed key of the marker.
	KeyHash string
	// Version is the metadata's format; 0 when the body has a marker but
	// no metadata line.
	Version int
	// HeadSHA is the pull request head the report was for; "" when
	// unknown.
	HeadSHA string
	// Changed says whether the report differed from the budget (see
	// [Changed]). A body with no metadata counts as changed, so that mode
	// on-change brings it up to date.
	Changed bool
	// Stale says the body carries the banner saying its counts are out of
	// date: the pull request's head moved past HeadSHA while the run for
	// it posted them ([Post]). Mode on-change then updates it even when
	// nothing changed.
	Stale bool
}

func metaLine(head string, changed bool) string {
	return metaPrefix + "v=" + strconv.Itoa(metaVersion) + " head=" + head + " changed=" + strconv.FormatBool(changed) + commentEnd
}

// ParseMeta reads the marker and the metadata back from a comment body;
// ok is false when the body does not start with a callbudget marker.
func ParseMeta(body string) (Meta, bool) {
	first, rest, _ := strings.Cut(body, "\n")
	hash, ok := strings.CutPrefix(strings.TrimSuffix(first, "\r"), markerPrefix)
	if !ok {
		return Meta{}, false
	}
	hash, ok = strings.CutSuffix(hash, commentEnd)
	if !ok || len(hash) != 12 || !isHex(hash) {
		return Meta{}, false
	}
	m := Meta{KeyHash: hash, Changed: true}
	second, _, _ := strings.Cut(rest, "\n")
	fields, ok := strings.CutPrefix(strings.TrimSuffix(second, "\r"), metaPrefix)
	if !ok {
		return m, true
	}
	fields, ok = strings.CutSuffix(fields, commentEnd)
	if !ok {
		return m, true
	}
	for f := range strings.FieldsSeq(fields) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "v":
			m.Version, _ = strconv.Atoi(v)
		case "head":
			if validSHA(v) {
				m.HeadSHA = v
			}
		case "changed":
			if b, err := strconv.ParseBool(v); err == nil {
				m.Changed = b
			}
		case "stale":
			m.Stale, _ = strconv.ParseBool(v)
		}
	}
	return m, true
}

// validSHA accepts a Git object name: 7 to 64 lowercase hex digits (SHA-1
// or SHA-256, abbreviated or not).
func validSHA(s string) bool {
	return len(s) >= 7 && len(s) <= 64 && isHex(s)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
