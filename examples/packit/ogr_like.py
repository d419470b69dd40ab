"""A miniature of ogr's GitHub service, the way packit-service uses it.

ogr (https://github.com/packit/ogr) wraps PyGithub for packit-service. Its
GithubService builds ``github.Github(login_or_token=token)`` with no base
URL, so every call goes to https://api.github.com: the code cannot be
pointed at another URL. callbudget counts it anyway, through its HTTPS
interception face (HTTPS_PROXY and a CA bundle in REQUESTS_CA_BUNDLE).

The methods below make the calls ogr's do, in the same order: a project is
read when first asked for, a commit is read before a status is set on it
(ogr's GithubCommitFlag.set), a pull request's files are paged.
"""

import github


class GithubService:
    def __init__(self, token):
        # No base_url: https://api.github.com, as ogr does it.
        self.github = github.Github(login_or_token=token, per_page=100)

    def get_project(self, namespace, repo):
        return GithubProject(self, namespace, repo)


class GithubProject:
    def __init__(self, service, namespace, repo):
        self.service = service
        self.namespace = namespace
        self.repo = repo
        self._github_repo = None

    @property
    def github_repo(self):
        if self._github_repo is None:
            self._github_repo = self.service.github.get_repo(f"{self.namespace}/{self.repo}")
        return self._github_repo

    def get_pr(self, pr_id):
        return GithubPullRequest(self.github_repo.get_pull(pr_id), self)

    def get_file_content(self, path, ref):
        return self.github_repo.get_contents(path, ref=ref).decoded_content.decode()

    def set_commit_status(self, commit, state, target_url, description, context):
        github_commit = self.github_repo.get_commit(commit)
        return github_commit.create_status(state, target_url, description[:140], context)


class GithubPullRequest:
    def __init__(self, raw_pr, project):
        self._raw_pr = raw_pr
        self.project = project

    @property
    def id(self):
        return self._raw_pr.number

    @property
    def head_commit(self):
        return self._raw_pr.head.sha

    @property
    def status(self):
        return self._raw_pr.state

    def get_files(self):
        return [f.filename for f in self._raw_pr.get_files()]

    def comment(self, body):
        return self._raw_pr.create_issue_comment(body)
