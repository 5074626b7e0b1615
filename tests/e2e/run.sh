#!/bin/sh
# End-to-end tests (needs root: users, sshd). Usage: run.sh HELPER FIXTURES
set -eu
exec python3 "$(dirname "$0")/test_e2e.py" "$@"
