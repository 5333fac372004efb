"""Refuse to go on when a TCP port on 127.0.0.1 is taken: ``make run`` asks this first, so a
busy port is reported at once rather than after the install and the migrations.

Standard library only: it runs on the system's Python, before the virtualenv exists.
Usage: ``python3 deploy/check_port.py PORT``; exits 1 with a message when the port is taken.
"""

import socket
import sys


def port_problem(text):
    """Why ``text`` cannot be the port to serve on, or None when it can."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return f"PORT must be a number from 1 to 65535, not {text!r}."
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As a server binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", int(text)))
        except OSError:
            return (
                f"Port {text} on 127.0.0.1 is already in use (another server is running?). "
                f"Stop it, or choose another port: make run PORT={int(text) + 1}"
            )
    return None


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    if problem := port_problem(sys.argv[1]):
        sys.exit(problem)
