"""Generate the one shared Python package of protobuf and gRPC code from protos/.

Output goes to gen/ (ignored by git): `jamsos.<area>.v1.<file>_pb2` and `_pb2_grpc`,
with .pyi type stubs from mypy-protobuf. Run through `make protos`.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from grpc_tools import protoc
import grpc_tools

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "gen"


def main() -> int:
    sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    wkt = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{wkt}",
        f"--python_out={OUT}",
        f"--grpc_python_out={OUT}",
        f"--mypy_out={OUT}",
        *sources,
    ]
    if protoc.main(args) != 0:
        print("protoc failed", file=sys.stderr)
        return 1
    # Make every generated folder a regular package.
    for folder in [OUT, *[p for p in OUT.rglob("*") if p.is_dir()]]:
        if folder != OUT:
            (folder / "__init__.py").touch()
    print(f"generated {len(sources)} proto files into {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
