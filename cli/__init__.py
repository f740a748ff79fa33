"""`jamsos`: the operator command line for branch and head-office staff and for scripts.

It talks gRPC to the running services (see `connection.py`), prints tables by default and
JSON with `--json`, and ends with an exit code that says what happened (`errors.py`).
"""
