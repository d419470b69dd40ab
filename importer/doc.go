// Package importer turns recordings made by other test stacks into go-vcr
// v3 cassettes that callbudget can count and replay: requre (Packit's
// ogr), vcrpy, HAR 1.2 and nock (its recorder's output objects, and
// @octokit/fixtures). go-vcr cassettes pass through unchanged.
//
// It owns reading those formats ([Detect], [Convert]) and turning them into
// a validated [replay.Cassette] ([Load]): every imported interaction is
// scrubbed with package scrub before it is encoded and parsed like a
// recording, so an import never carries a token a recording would not. It
// does not write files and does not decide where a cassette goes: the
// import command does that. What an input format could not carry over is
// returned as a [Note], never dropped silently; an input that cannot be
// converted is an [*Error] naming the file, the line where known and the
// entry.
//
// Every URL in the output is absolute, bodies are text as go-vcr records
// them (gzip decoded, with uncompressed: true and no Content-Encoding), and
// interactions are numbered 0..n-1 in a deterministic order: the input's
// order for vcrpy, HAR and nock.
//
// # requre
//
// requre stores calls by method and URL:
// requests.sessions.send.<METHOD>.<URL> is a list of recorded calls, in
// call order for that URL. The order between different URLs is not
// recorded, so the output lists the URLs in file order, each URL's calls
// in list order, and a Note says so. A URL with the default port
// (https://api.github.com:443/...) is the same URL as the one without; the
// output has no port. Request headers and bodies are not recorded (a
// Note says so). A body stored parsed (_content as a mapping or list) is
// encoded again as JSON with its keys in file order.
//
// Aliases: requre's YAML writer stores one Python object once and refers to
// it again with an alias (&id002 … *id002), which is how one list of calls
// ends up under two URL keys (with and without :443). The rule: a recorded
// call is one YAML node, and it is counted once however many keys reach it.
// Identity is the node's: an alias points at the very node its anchor
// names, so a list reached again through an alias adds nothing, while two
// lists that merely look alike are two lists and both count. Anchors come
// before their aliases in a YAML file, so the call is emitted at the place
// its anchor is. vcrpy files have aliases for the same reason, and they are
// followed too. What aliases may expand to is bounded before anything
// walks the tree (ten times the document's own nodes, at least a million;
// four times its size in text, at least 64 MiB), in time linear in the
// file, so an alias bomb fails with ErrInvalid, naming the alias that
// crosses the bound, before any expansion.
package importer
