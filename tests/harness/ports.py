"""Free TCP port discovery for the throwaway servers the harness starts."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now, below the kernel's ephemeral range.

    The kernel's own pick (bind to port 0) is a port of the ephemeral range, the one every
    outgoing connection takes its local port from: between this call and the server's bind
    (a platform starts its services one after the other, seconds apart) a client connection
    of another test could take it ("cannot bind gRPC port ...: is it in use?"). A port below
    that range is never handed out so; it is picked at random (the test workers pick from
    the same range) and checked free by binding it. The socket is closed before returning,
    so a small race with another explicit binder remains; callers that care retry.
    """
    for _ in range(200 if _BELOW_EPHEMERAL else 0):
        port = _random.randint(*_BELOW_EPHEMERAL)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # all taken: the kernel's pick
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _below_ephemeral() -> tuple[int, int] | None:
    """The ports below the kernel's ephemeral range, from 10,000 (Linux: 32768-60999 by
    default); None when that leaves too few to pick from."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            first = int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        first = 32768
    return (10_000, first - 1) if first > 11_000 else None


_BELOW_EPHEMERAL = _below_ephemeral()
_random = random.SystemRandom()  # not the tests' seeded `random`: workers must not pick alike


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Return True if something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
