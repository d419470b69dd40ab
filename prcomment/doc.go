// Package prcomment owns callbudget's one sticky pull-request comment: its
// body ([Render]) and posting it ([Post]) through go-github with the
// workflow's token.
//
// The body starts with a hidden marker ([Marker]) naming the comment's key
// (the config path, hashed), and a metadata line with the head SHA the
// report is for ([ParseMeta]). [Post] finds the comment again by that
// marker and by its author, across every page of the pull request's
// comments; updates it in place, or creates it; deletes the duplicates a
// race between two runs leaves; and never lets a run for an older head
// overwrite the result of a newer one. It retries what GitHub asks to be
// retried (5xx, network errors, secondary rate limits, within bounds) and
// reports a read-only token or a locked conversation as [ErrReadOnly] or
// [ErrLocked], which the caller turns into a warning: the comment never
// decides the exit code.
//
// Every string in the body that came from a cassette or a request is
// escaped with package report's Markdown escaping. What the report holds,
// and the job summary, are package report's business; reading the budget
// file at the base SHA is the caller's, which passes the result in as a
// [BudgetChange].
package prcomment
