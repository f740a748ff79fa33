"""A bank file as it arrives in chunks: spooled (memory up to a few MB, then a temporary
file), hashed on the way, refused past its size limit. The chunks are not kept, so a
large file is held once, never as the messages and a copy."""
from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from services.chassis.errors import InvalidArgument

IN_MEMORY_BYTES = 4 * 1024 * 1024


@dataclass
class Upload:
    file: IO[bytes]
    sha256: str
    size: int

    def text_lines(self) -> Iterator[str]:
        """The file as text lines (MT940 is ASCII; anything else is shown, not guessed)."""
        self.file.seek(0)
        text = io.TextIOWrapper(self.file, encoding="utf-8", errors="replace", newline="")
        try:
            yield from text
        finally:
            text.detach()  # the file is read again: a wrapper closes what it wraps when it goes

    def binary(self) -> IO[bytes]:
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        self.file.close()


def spool(chunks: Iterable[bytes], max_bytes: int) -> Upload:
    """The whole upload; InvalidArgument on `chunk` when it passes `max_bytes` or is empty."""
    digest = hashlib.sha256()
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - the Upload owns it
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise InvalidArgument.field("chunk", f"the file is larger than {max_bytes // (1024 * 1024)} MB")
            digest.update(chunk)
            file.write(chunk)
        if size == 0:
            raise InvalidArgument.field("chunk", "the file is empty")
    except BaseException:
        file.close()
        raise
    return Upload(file, digest.hexdigest(), size)  # type: ignore[arg-type]
