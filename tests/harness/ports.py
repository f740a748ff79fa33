"""Free TCP port discovery for the throwaway servers the harness starts."""

from __future__ import annotations

import socket


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    The kernel picks the port (bind to port 0); the socket is closed before
    returning so the caller's server can bind it. There is an unavoidable small
    race between closing and the server binding; callers that care retry with a
    new port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Return True if something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
