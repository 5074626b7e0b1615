#!/bin/sh
# End-to-end tests (needs root: users, sshd). Usage: run.sh HELPER FIXTURES
set -eu
here=$(dirname "$0")
python3 "$here/test_e2e.py" "$@"
# The helper with no config file on a simulated EC2 host (namespaces).
python3 "$here/test_ec2host.py" "$@"
# The admin check mode against real sshd configurations.
python3 "$here/test_check.py" "$@"
