#!/bin/sh
# Runs worker.py with a Python that has PyGithub: python3 on PATH, else the
# system's (/usr/bin/python3, where Debian's python3-github installs it).
# The repository's callbudget.yaml runs the worker through this script.
# --check only says whether there is one (exit 0) or not (127).
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import github' 2>/dev/null; then
    [ "${1:-}" = --check ] && exit 0
    exec "$py" "$(dirname "$0")/worker.py" "$@"
  fi
done
echo "examples/packit: no Python with PyGithub: pip install PyGithub (or apt-get install python3-github; make test-deps does it)" >&2
exit 127
