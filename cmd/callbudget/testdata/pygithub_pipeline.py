"""A small PyGithub bot for callbudget's tests (pygithub_test.go).

For one pull request it does what a Packit-style bot does: read the
repository and the pull request, list the changed files (every page), set a
commit status and leave a comment. It talks to whatever GITHUB_API_URL
names (callbudget's replay server, or the recording proxy in front of the
fake GitHub) with GITHUB_TOKEN, and prints the calls it made, one
"METHOD what" per line, on stderr.
"""

import os
import sys

import github
import github.Commit
import github.Issue

REPO = os.environ.get("PIPELINE_REPO", "octo-org/hello-world")
NUMBER = int(os.environ.get("PIPELINE_PR", "1"))


def client():
    base_url = os.environ["GITHUB_API_URL"]
    token = os.environ["GITHUB_TOKEN"]
    if hasattr(github, "Auth"):  # PyGithub 1.59 and later
        return github.Github(base_url=base_url, auth=github.Auth.Token(token))
    return github.Github(base_url=base_url, login_or_token=token)


def log(msg):
    print("pygithub_pipeline: " + msg, file=sys.stderr, flush=True)


def main():
    gh = client()
    repo = gh.get_repo(REPO)
    log("GET repository %s" % repo.full_name)
    pr = repo.get_pull(NUMBER)
    log("GET pull request #%d at %s" % (pr.number, pr.head.sha[:7]))
    files = [f.filename for f in pr.get_files()]  # follows the Link header
    log("GET %d changed files" % len(files))

    # The bot knows the head SHA from the pull request: fetching the commit
    # (repo.get_commit) would cost a call just to build the object that
    # posts its status, so the object is built from what is known. Its URL
    # comes from the repository's "url" field, which the server under test
    # rewrites to itself.
    commit = github.Commit.Commit(
        repo._requester, {}, {"sha": pr.head.sha, "url": repo.url + "/commits/" + pr.head.sha}, completed=True
    )
    status = commit.create_status(
        state="success", context="pygithub-pipeline", description="%d files checked" % len(files)
    )
    log("POST status %s" % status.state)
    body = "pygithub-pipeline: %d changed files" % len(files)
    if pr.issue_url:
        comment = pr.create_issue_comment(body)
    else:
        # GitHub's pull requests carry issue_url, which create_issue_comment
        # posts to; the fake GitHub's do not, so the issue is built the same
        # way as the commit above. Either way it is one POST.
        issue = github.Issue.Issue(
            repo._requester, {}, {"number": pr.number, "url": "%s/issues/%d" % (repo.url, pr.number)}, completed=True
        )
        comment = issue.create_comment(body)
    log("POST comment %d" % comment.id)


if __name__ == "__main__":
    main()
