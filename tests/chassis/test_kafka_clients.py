"""The selector every Kafka client is given: the standard one's lookups, without formatting a
socket on a miss (kafka-python asks for a socket's key before each wait, and a miss is normal)."""
from __future__ import annotations

import selectors
import socket

import pytest

from services.chassis.kafka_clients import QuietMissSelector


class CountedReprSocket(socket.socket):
    reprs = 0

    def __repr__(self) -> str:
        CountedReprSocket.reprs += 1
        return super().__repr__()


def test_a_missed_lookup_raises_key_error_without_formatting_the_socket():
    sock = CountedReprSocket(socket.AF_INET, socket.SOCK_STREAM)
    selector = QuietMissSelector()
    try:
        CountedReprSocket.reprs = 0
        with pytest.raises(KeyError):
            selector.get_key(sock)
        assert CountedReprSocket.reprs == 0
        with pytest.raises(KeyError):
            selectors.DefaultSelector().get_key(sock)  # the standard one formats it
        assert CountedReprSocket.reprs >= 1
    finally:
        selector.close()
        sock.close()


def test_lookups_answer_as_the_standard_selector_does():
    ours, theirs = QuietMissSelector(), selectors.DefaultSelector()
    left, right = socket.socketpair()
    try:
        for selector in (ours, theirs):
            selector.register(left, selectors.EVENT_READ, "reader")
            selector.modify(left, selectors.EVENT_READ | selectors.EVENT_WRITE, "both")
        assert ours.get_key(left) == theirs.get_key(left)
        assert ours.get_key(left.fileno()) == theirs.get_key(left.fileno())
        for selector in (ours, theirs):
            selector.unregister(left)
            with pytest.raises(KeyError):
                selector.get_key(left)
    finally:
        ours.close()
        theirs.close()
        left.close()
        right.close()

