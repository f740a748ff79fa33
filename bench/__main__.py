"""`python -m bench [NAME ...] [options]`: run named benchmarks (all when none is named).

    python -m bench requests                                     # the request path, short (a few minutes)
    python -m bench requests --full --requests-db postgres       # full size, PostgreSQL, scale-out too
    python -m bench events                                       # events, commit to applied
    python -m bench claims                                       # JKK claims through the whole workflow
    python -m bench billing --workers 20000 --employers 1000     # a smoke check in seconds
    python -m bench billing                                      # full size: 1,000,000 workers
    python -m bench bank_files --bank-lines 2000 --bank-employers 200   # MT940 import vs parse only

Speed is measured here, never asserted inside tests. Each bench prints its figures and
writes bench/results/<name>-<date>.json and bench/results/<name>-latest.json; the
request-path bench also draws bench/results/requests-latency.png, and
`python -m bench.report` turns its latest results into the README's table.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from bench import bank_files, billing, request_path, results


def _optional(module: str) -> ModuleType | None:
    """A bench that may not have landed yet: its absence must not break the others."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def benches() -> dict[str, ModuleType]:
    found: dict[str, ModuleType | None] = {"requests": request_path, "events": _optional("bench.events"),
                                           "billing": billing, "bank_files": bank_files,
                                           "claims": _optional("bench.claims")}
    return {name: module for name, module in found.items() if module is not None}


def main(argv: list[str] | None = None) -> int:
    available = benches()
    # "resolve": a bench that defines --full itself shares the one flag instead of failing the parser.
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, conflict_handler="resolve",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[[], *available], default=[], help="benches to run (default: all)")
    parser.add_argument("--full", action="store_true", help="the full sizes (default: short runs of a few minutes)")
    for module in available.values():
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.full and hasattr(args, "events_full"):
        args.events_full = True
    for name in args.names or list(available):
        module = available[name]
        result = module.run(args)
        # events names its own files (events-… or events-chassis-… by its --events-source)
        written = [] if getattr(module, "WRITES_OWN_RESULTS", False) else results.write(name, result)
        artefacts = getattr(module, "write_artefacts", None)
        if artefacts is not None:
            written += artefacts(result, results.RESULTS)
        if written:
            print("results written to " + ", ".join(str(p.relative_to(results.RESULTS.parent.parent)) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
