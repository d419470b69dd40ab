"""Records, with vcrpy itself, a GET and a POST made with requests against
the server at sys.argv[1] (a base URL with a path prefix) into the vcrpy
cassette sys.argv[2]. Run by import_test.go with /usr/bin/python3 and the
Debian packages python3-vcr and python3-requests."""
import sys

import requests
import vcr

base = sys.argv[1].rstrip("/")
out = sys.argv[2]

with vcr.use_cassette(out, record_mode="all", filter_headers=["authorization"]):
    s = requests.Session()
    s.headers["Authorization"] = "token placeholder"
    s.get(base + "/repos/octo-org/hello-world/pulls/42").raise_for_status()
    s.post(base + "/repos/octo-org/hello-world/issues/42/comments", json={"body": "hi"}).raise_for_status()
    s.get(base + "/repos/octo-org/hello-world/pulls/42").raise_for_status()
