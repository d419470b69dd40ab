"""A packit-service-like worker for one GitHub pull_request event.

    python3 examples/packit/worker.py --event testdata/events/pr-opened.json

It reads the token from GITHUB_TOKEN and calls https://api.github.com, always
(see ogr_like.py): what callbudget budgets for it is what the same code costs
in production. Logs go to stderr; any API error exits 1.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ogr_like import GithubService  # noqa: E402

STATUS_CONTEXT = "packit/rpm-build"
TARGET_URL = "https://dashboard.packit.dev/jobs/copr/1"


def log(msg):
    print("worker: " + msg, file=sys.stderr, flush=True)


def handle(service, event):
    repo = event["repository"]
    namespace, name = repo["owner"]["login"], repo["name"]
    number = event["pull_request"]["number"]
    sha = event["pull_request"]["head"]["sha"]
    log(f"{namespace}/{name}#{number} {event['action']}, head {sha[:7]}")
    if event["action"] not in ("opened", "reopened", "synchronize"):
        log("nothing to do")
        return

    project = service.get_project(namespace, name)
    pr = project.get_pr(number)
    if pr.status != "open" or pr.head_commit != sha:
        log("the event is stale: skipped")
        return
    config = project.get_file_content(".packit.yaml", ref=sha)
    log(f"config .packit.yaml: {len(config.splitlines())} lines")
    files = pr.get_files()
    log(f"{len(files)} changed files")

    project.set_commit_status(sha, "pending", TARGET_URL, "RPM build started", STATUS_CONTEXT)
    shown = "\n".join(f"- `{f}`" for f in files[:10])
    more = f"\n… and {len(files) - 10} more" if len(files) > 10 else ""
    pr.comment(f"Packit will build this pull request ({len(files)} files changed):\n{shown}{more}")
    project.set_commit_status(sha, "success", TARGET_URL, "RPM build succeeded", STATUS_CONTEXT)
    log("done")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", required=True, help="the pull_request webhook payload (JSON)")
    args = parser.parse_args()
    with open(args.event) as f:
        event = json.load(f)
    service = GithubService(os.environ.get("GITHUB_TOKEN", ""))
    try:
        handle(service, event)
    except Exception as e:  # an API error: what packit-service would log
        log(f"error: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
