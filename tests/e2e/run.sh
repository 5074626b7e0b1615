#!/bin/sh
# End-to-end tests (needs root: users, sshd). Usage: run.sh HELPER FIXTURES
set -eu
here=$(dirname "$0")
python3 "$here/test_e2e.py" "$@"
# The helper with no config file on a simulated EC2 host (namespaces).
python3 "$here/test_ec2host.py" "$@"
# The admin check mode against real sshd configurations.
python3 "$here/test_check.py" "$@"
# Syscall invariants, valgrind, the fault matrix, 200 at once. An ASan
# build checks its own memory (valgrind cannot run it): there, memcheck is
# left to the plain build's run of this same suite, and the load test runs
# 50 at once (200 ASan processes exceed the deadline on CPU alone).
if [ -n "${EIC_SANITIZED:-}" ]; then
	EIC_LOAD_N=50 python3 "$here/test_hardening.py" "$@" Invariants FaultMatrix Load
else
	python3 "$here/test_hardening.py" "$@"
fi
