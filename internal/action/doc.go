// Package action owns what callbudget does inside a GitHub Actions job
// besides counting: reading the action's inputs (INPUT_*, with
// go-githubactions) and the event payload, the step outputs, the job
// summary, the annotations, the note on a budget file the pull request
// changes (read at the base commit with git), the pr.json file that carries
// a pull request's number and head commit from a fork's read-only run to the
// run that comments, and the go-github client the comment is posted with.
//
// It does not decide the verdict (budget, report), render or post the PR
// comment (prcomment), or run anything the pull request contains (runner).
// Every function takes the environment as a getenv func or explicit values
// and writes to the writers and files it is given, so the command can be
// tested in-process exactly as the runner starts a Docker action.
//
// Nothing here may change the exit code: the command calls it after the
// verdict is known, and every failure is returned for the command to show
// as a warning.
package action
