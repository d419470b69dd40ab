package scrub

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Placeholder is what every secret becomes. It never changes, so that a
// cassette recorded twice differs only where the traffic did.
const Placeholder = "[REDACTED]"

// shape is one kind of token-shaped string.
type shape struct {
	kind   string // what a finding calls it
	prefix string // the fixed, public start of every match ("ghp_"), printed in findings
	re     *regexp.Regexp
}

// shapes are the token formats searched for everywhere, most specific
// first. GitHub documents its tokens as a prefix and 36 base62 characters
// (github_pat_: 22 + "_" + 59) and warns they will grow up to 255
// characters, and installation tokens of the newer shape embed a JWT-like
// part (dots and dashes): the patterns are generous on purpose.
var shapes = []shape{
	{"private key block", "-----BEGIN", regexp.MustCompile(`-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----(?s:.*?)(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----|\z)`)},
	{"GitHub fine-grained personal access token", "github_pat_", regexp.MustCompile(`github_pat_[A-Za-z0-9_]{20,}`)},
	{"GitHub personal access token", "ghp_", ghToken("ghp")},
	{"GitHub OAuth access token", "gho_", ghToken("gho")},
	{"GitHub App user-to-server token", "ghu_", ghToken("ghu")},
	{"GitHub App installation token", "ghs_", ghToken("ghs")},
	{"GitHub App refresh token", "ghr_", ghToken("ghr")},
	{"JSON Web Token", "eyJ", regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*`)},
}

func ghToken(p string) *regexp.Regexp {
	// A dot counts only when a token character follows it, so the full
	// stop after a token in prose is not taken for part of it.
	return regexp.MustCompile(p + `_(?:[A-Za-z0-9_\-]|\.[A-Za-z0-9_\-]){30,}`)
}

// replaceShapes replaces each token-shaped string of str by what repl
// returns for it. The shapes run one after the other, in order, each only
// when its literal prefix is present: a regexp with a literal prefix
// skips ahead with a string search, several times faster than one
// alternation of them all, and a token of one shape is gone before a
// shorter shape inside it (the JWT in a ghs_ token) is looked for.
func replaceShapes(str string, repl func(sh shape, m string) string) string {
	for _, sh := range shapes {
		if strings.Contains(str, sh.prefix) {
			str = sh.re.ReplaceAllStringFunc(str, func(m string) string { return repl(sh, m) })
		}
	}
	return str
}

// anyShape matches what any of shapes matches (for tests).
var anyShape = func() *regexp.Regexp {
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = "(?:" + s.re.String() + ")"
	}
	return regexp.MustCompile(strings.Join(parts, "|"))
}()

// credentialParams are query and form parameters whose value is a
// credential, whatever it looks like.
var credentialParams = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "token": true,
	"client_secret": true, "private_token": true, "api_key": true, "apikey": true,
	"password": true, "secret": true, "jwt": true,
}

func isCredentialParam(name string) bool { return credentialParams[strings.ToLower(name)] }

// credentialParamRE finds such parameters inside any text (a Link header,
// a URL in a JSON body): group 1 is "?access_token=", group 2 the value.
var credentialParamRE = regexp.MustCompile(`(?i)([?&](?:access_token|refresh_token|id_token|token|client_secret|private_token|api_key|apikey|password|secret|jwt)=)([^&\s>;"'<\\]+)`)

// keptHeaders are GitHub headers whose names look sensitive but whose
// values are not, and which the budget and clients need.
var keptHeaders = map[string]bool{
	"github-authentication-token-expiration": true,
	"x-github-request-id":                    true,
	"x-oauth-scopes":                         true,
	"x-accepted-oauth-scopes":                true,
	"x-github-media-type":                    true,
	"x-accepted-github-permissions":          true,
	"x-github-api-version-selected":          true,
	"x-github-sso":                           true,
}

// sensitiveHeaders are replaced whole, whatever their value.
var sensitiveHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
	"x-github-token": true, "private-token": true,
}

var sensitiveHeaderWords = []string{"token", "secret", "password", "passwd", "api-key", "apikey", "session", "credential"}

// SensitiveHeader reports whether a header's every value is replaced by
// Placeholder: Authorization, cookies, and any header whose name says it
// holds a token, secret, password, API key or session — except GitHub's
// rate-limit and metadata headers.
func SensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	if keptHeaders[n] || strings.HasPrefix(n, "x-ratelimit-") {
		return false
	}
	if sensitiveHeaders[n] {
		return true
	}
	for _, w := range sensitiveHeaderWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// minSecret is the shortest known secret that is replaced: shorter values
// would replace ordinary words all over a cassette.
const minSecret = 8

// secretForms are the strings a known secret can appear as: itself, URL-
// and base64-encoded (std and URL alphabets, padded or not), and the part
// of a longer base64 text that encodes it at any of the three byte
// alignments ("x-access-token:SECRET" in a basic-auth value). Longest
// first, so that a form is replaced before a form it contains.
func secretForms(secrets []string) []string {
	seen := map[string]bool{}
	var forms []string
	add := func(f string) {
		if len(f) >= minSecret && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	encs := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		for _, e := range encs {
			add(e.EncodeToString([]byte(s)))
		}
		for k := 0; k < 3; k++ {
			b := append(make([]byte, k), s...)
			full := len(b) / 3 * 4 // characters fixed by the secret's bytes alone…
			enc := base64.RawStdEncoding.EncodeToString(b)[:full]
			encURL := base64.RawURLEncoding.EncodeToString(b)[:full]
			if k > 0 { // …after the group the alignment bytes fall in
				enc, encURL = enc[min(4, len(enc)):], encURL[min(4, len(encURL)):]
			}
			if len(enc) >= 12 {
				add(enc)
				add(encURL)
			}
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}
