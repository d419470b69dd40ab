package prcomment

import (
	"strings"
)

// The stale guard: Post writes only while the pull request's head is
// HeadSHA, and marks what it wrote out of date when the head moved while
// it wrote.

// short is a SHA as the comment and the warnings show it.
func short(sha string) string {
	if sha == "" {
		return "(unknown)"
	}
	return sha[:min(len(sha), 12)]
}

// staleWarning is the Result's warning for a run that wrote nothing
// because the head had moved on.
func staleWarning(now, head string) string {
	return "the pull request's head is now " + short(now) + "; this run's results for " + short(head) + " are not posted"
}

// withStaleBanner puts a banner at the top of body (after its marker and
// metadata lines, which it marks stale=true) saying its counts are for
// head while the pull request's head is now now. Both SHAs are hex
// (validSHA), so nothing in the banner comes from a request's body.
func withStaleBanner(body, head, now string) string {
	marker, rest, _ := strings.Cut(body, "\n")
	var b strings.Builder
	b.WriteString(marker + "\n")
	if meta, after, _ := strings.Cut(rest, "\n"); strings.HasPrefix(meta, metaPrefix) && strings.HasSuffix(meta, commentEnd) {
		if m, _ := ParseMeta(marker + "\n" + meta); !m.Stale {
			meta = strings.TrimSuffix(meta, commentEnd) + " stale=true" + commentEnd
		}
		b.WriteString(meta + "\n")
		rest = after
	}
	nowText := "a newer commit"
	if validSHA(now) {
		nowText = "<code>" + short(now) + "</code>"
	}
	b.WriteString("> [!WARNING]\n")
	b.WriteString("> **Out of date:** these counts are for commit <code>" + short(head) + "</code>, but the pull request's head is now " + nowText +
		", which this run did not check. Re-run the check for " + nowText + ".\n\n")
	b.WriteString(rest)
	return b.String()
}
