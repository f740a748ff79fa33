"""Generate the one shared Python package of protobuf and gRPC code from protos/.

Output goes to gen/ (ignored by git): `jamsos.<area>.v1.<file>_pb2` and `_pb2_grpc`,
with .pyi type stubs from mypy-protobuf. Run through `make protos`.

It is generated beside gen/ and swapped in only when protoc succeeded, so a failed run
(a plugin missing from PATH) leaves the previous gen/ whole for whatever is running on it.
The one line it prints goes to stderr: `TOKEN=$(make -s token ...)` captures only the token.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc
import grpc_tools

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "gen"


def main() -> int:
    sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    fresh = Path(tempfile.mkdtemp(prefix=".gen-", dir=ROOT))
    try:
        wkt = Path(grpc_tools.__file__).parent / "_proto"
        args = [
            "protoc",
            f"-I{PROTOS}",
            f"-I{wkt}",
            f"--python_out={fresh}",
            f"--grpc_python_out={fresh}",
            f"--mypy_out={fresh}",
            *sources,
        ]
        if protoc.main(args) != 0:
            print("protoc failed; gen/ left as it was", file=sys.stderr)
            return 1
        # Make every generated folder a regular package.
        for folder in (p for p in fresh.rglob("*") if p.is_dir()):
            (folder / "__init__.py").touch()
        stale = OUT.with_name(".gen-stale")
        shutil.rmtree(stale, ignore_errors=True)
        if OUT.exists():
            OUT.rename(stale)
        fresh.rename(OUT)
        shutil.rmtree(stale, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    print(f"generated {len(sources)} proto files into {OUT.relative_to(ROOT)}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
