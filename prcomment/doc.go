// Package prcomment owns callbudget's one sticky pull-request comment: its
// body ([Render]) and posting it ([Post]) through go-github with the
// workflow's token.
//
// The body starts with a hidden marker ([Marker]) naming the comment's key
// (the config path, hashed), and a metadata line with the head SHA the
// report is for ([ParseMeta]). [Post] finds the comment again by that
// marker and by its author, across every page of the pull request's
// comments; updates it in place, or creates it; settles a race between
// two first runs on one comment (the oldest) and deletes the duplicates;
// and never shows a run's counts as the current head's once the head has
// moved on: it writes only while the pull request's head is the report's,
// and when the head moves while it writes it marks what it wrote out of
// date with a banner. Every request it makes goes through one retry loop
// (5xx, network errors, rate limits, within bounds), the first included;
// it reports a read-only token or a locked conversation as [ErrReadOnly]
// or [ErrLocked], which the caller turns into a warning: the comment
// never decides the exit code.
//
// What one [Post] costs, with L the list calls (one per 100 comments on
// the pull request; 1 on most) and D the duplicates deleted (0 unless
// runs raced):
//
//   - mode never: no call.
//   - skipped by the mode, or unchanged (the comment has this body): L
//     (+D when unchanged).
//   - stale (the head moved on before the write): L + 1 GET of the pull
//     request; nothing written, nothing deleted.
//   - updated: L + GET pull + PATCH + GET pull (+D): 4 on most pull
//     requests, after a push or not.
//   - created: L + GET pull + POST + L again (to find a racing run's
//     comment) + GET pull: 5 on most pull requests. When another run had
//     created the comment first: + PATCH of that one + GET pull, unless it
//     already has this body, + 1 DELETE (ours).
//   - the head moved during a write: + GET of the comment + PATCH (the
//     banner), or just the GET when a run for the new head has posted
//     since.
//   - a PATCH answered 404 (the comment was deleted meanwhile): as
//     created, after the PATCH.
//   - each retry, and a 422 for a body too long (shortened once), repeat
//     their request.
//   - Options.PullRequest (the comment command passes the pull request it
//     has just read to check the head) saves the GET before the first
//     write: updated 3, created 4 on most pull requests, plus the
//     caller's own GET.
//
// The head is read right before each write, and again right after it,
// because GitHub has no conditional write for comments: that read is the
// only way to know the write did not land after a newer run's. GitHub's
// lists can lag a write by a moment; a duplicate left then is deleted by
// the next run.
//
// Every string in the body that came from a cassette or a request is
// escaped with package report's Markdown escaping. What the report holds,
// and the job summary, are package report's business; reading the budget
// file at the base SHA is the caller's, which passes the result in as a
// [BudgetChange].
package prcomment
