"""`python -m bench [NAME ...] [options]`: run named benchmarks (all when none is named).

    python -m bench billing --workers 20000 --employers 1000    # a smoke check in seconds
    python -m bench billing                                      # full size: 1,000,000 workers
    python -m bench membership --membership-enrolments 200       # enrolment and lookup figures
    python -m bench bank_files --bank-lines 2000 --bank-employers 200   # MT940 import vs parse only

Speed is measured here, never asserted inside tests. Each bench prints a short table and
writes bench-results/<name>.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench import bank_files, billing, membership

BENCHES = {"billing": billing, "membership": membership, "bank_files": bank_files}
RESULTS = Path(__file__).resolve().parent.parent / "bench-results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[[], *BENCHES], default=[], help="benches to run (default: all)")
    for module in BENCHES.values():
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for name in args.names or list(BENCHES):
        result = BENCHES[name].run(args)
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"results written to {path.relative_to(RESULTS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
