"""`make docs`: the pages generated from the code, so that they cannot drift from it.

- docs/api.md: every service, RPC, message, field and enum of protos/ with its comment
  (protoc's source info), per package.
- docs/roles.md: per RPC, the O-3 roles it lets through, found by calling every RPC of the
  four services (started here on throwaway SQLite databases) with a token of each role: a
  role is listed when the answer is anything but the O-3 refusal.
- docs/rule-index.md: per rule id of docs/rules.md, its source, the test files proving it (from their
  `@pytest.mark.rule` markers) and the modules naming it (what `make rules` prints).

    python scripts/docs_pages.py           # write both pages
    python scripts/docs_pages.py --check   # exit 1 naming a page that is not current
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "gen")]

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402
from grpc_tools import protoc  # noqa: E402
import grpc_tools  # noqa: E402

from services.chassis.auth import mint_token  # noqa: E402
from services.chassis.config import DEV_JWT_SECRET, DEV_SERVICE_JWT_SECRET, Settings  # noqa: E402
from services.chassis.roles import Role  # noqa: E402
from services.chassis.runtime import ServiceRuntime  # noqa: E402

PROTOS = ROOT / "protos"
API_PAGE = ROOT / "docs" / "api.md"
ROLES_PAGE = ROOT / "docs" / "roles.md"
INDEX_PAGE = ROOT / "docs" / "rule-index.md"
SERVICES = ("membership", "contributions", "benefits", "welfare")
# Where each role works when probed: branch staff at a branch, the regional officer at its
# region, head-office roles at the head office (O-1, O-3).
OFFICE_OF = {Role.REGIONAL_OFFICER: ("KW-SUMBAGUT", "REGIONAL"), Role.HEAD_OFFICE_AUDITOR: ("KP", "HEAD"),
             Role.HEAD_OFFICE_ADMIN: ("KP", "HEAD")}
BRANCH = ("KC-BINJAI", "BRANCH")
# descriptor.proto field numbers, for source-info paths.
MESSAGE, ENUM, SERVICE, FIELD, NESTED, VALUE, METHOD = 4, 5, 6, 2, 3, 2, 2


# ---- docs/api.md ---------------------------------------------------------------------
def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.pb"
        sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
        wkt = Path(grpc_tools.__file__).parent / "_proto"
        if protoc.main(["protoc", f"-I{PROTOS}", f"-I{wkt}", "--include_source_info",
                        f"--descriptor_set_out={out}", *sources]) != 0:
            raise SystemExit("protoc failed")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    found = {}
    for location in file.source_code_info.location:
        text = " ".join(line.strip() for line in location.leading_comments.strip().splitlines() if line.strip())
        if text:
            found[tuple(location.path)] = text
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _type_name(field: descriptor_pb2.FieldDescriptorProto) -> str:
    name = field.type_name.lstrip(".") if field.type_name else \
        descriptor_pb2.FieldDescriptorProto.Type.Name(field.type).removeprefix("TYPE_").lower()
    return f"repeated {name}" if field.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED else name


# Fields every service has many of, explained once rather than over each (their own comment wins).
REQUEST_ID_MEANING = ("The caller's id of this change: a retry with the same id answers the same and changes "
                      "nothing twice; another request under the same id is refused.")
PAGING_TYPES = {".jamsos.common.v1.PageRequest": "The page asked for (see `PageRequest`).",
                ".jamsos.common.v1.PageResponse": "Where the next page starts (see `PageResponse`)."}


def _shared_meaning(field: descriptor_pb2.FieldDescriptorProto) -> str:
    if field.name == "request_id" and field.type == descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
        return REQUEST_ID_MEANING
    return PAGING_TYPES.get(field.type_name, "")


def _messages(messages, path: tuple[int, ...], notes: dict, prefix: str) -> Iterator[str]:
    for index, message in enumerate(messages):
        here = (*path, index)
        yield f"#### `{prefix}{message.name}`"
        if here in notes:
            yield notes[here]
        if message.field:
            yield ""
            yield "| field | # | type | meaning |"
            yield "|---|---|---|---|"
            for number, field in enumerate(message.field):
                meaning = notes.get((*here, FIELD, number)) or _shared_meaning(field)
                yield f"| `{field.name}` | {field.number} | `{_type_name(field)}` | {_cell(meaning)} |"
        yield ""
        yield from _messages(message.nested_type, (*here, NESTED), notes, f"{prefix}{message.name}.")


def api_page() -> str:
    lines = ["# API reference", "",
             "Generated from `protos/` by `make docs` (`scripts/docs_pages.py`); do not edit by hand.",
             "Every mutation carries a `request_id` (a retry with the same id answers the same).", ""]
    files = [f for f in descriptor_set().file if f.name.startswith("jamsos/")]
    for file in sorted(files, key=lambda f: f.name):
        notes = comments(file)
        lines += [f"## `{file.name}` (package `{file.package}`)", ""]
        for s_index, service in enumerate(file.service):
            lines.append(f"### service `{service.name}`")
            if (SERVICE, s_index) in notes:
                lines.append(notes[(SERVICE, s_index)])
            lines += ["", "| RPC | request | response | meaning |", "|---|---|---|---|"]
            for m_index, method in enumerate(service.method):
                request = ("stream " if method.client_streaming else "") + method.input_type.rsplit(".", 1)[-1]
                response = ("stream " if method.server_streaming else "") + method.output_type.rsplit(".", 1)[-1]
                lines.append(f"| `{method.name}` | `{request}` | `{response}` | "
                             f"{_cell(notes.get((SERVICE, s_index, METHOD, m_index), ''))} |")
            lines.append("")
        lines += list(_messages(file.message_type, (MESSAGE,), notes, ""))
        for e_index, enum in enumerate(file.enum_type):
            lines.append(f"#### enum `{enum.name}`")
            if (ENUM, e_index) in notes:
                lines.append(notes[(ENUM, e_index)])
            lines.append("")
            lines += [f"- `{v.name}` = {v.number}" + (f": {notes[(ENUM, e_index, VALUE, n)]}"
                                                      if (ENUM, e_index, VALUE, n) in notes else "")
                      for n, v in enumerate(enum.value)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---- docs/roles.md ---------------------------------------------------------------------
def _settings(service: str, url: str) -> Settings:
    return dataclasses.replace(
        Settings.from_env(service), database_url=url, kafka_bootstrap_servers="127.0.0.1:1", grpc_port=0,
        http_port=0, relay_enabled=False, consumers_enabled=False, jobs_enabled=False, jwt_secret=DEV_JWT_SECRET,
        jwt_public_key=None, service_jwt_secret=DEV_SERVICE_JWT_SECRET, service_jwt_public_key=None)


def _token(role: Role) -> str:
    office, level = OFFICE_OF.get(role, BRANCH)
    return mint_token(user_id=f"probe-{role.value.lower()}", office_code=office, office_level=level,
                      roles=[role.value], secret=DEV_JWT_SECRET)


def _refused_by_o3(channel: grpc.Channel, path: str, client_stream: bool, server_stream: bool, token: str) -> bool:
    metadata = [("authorization", f"Bearer {token}")]
    try:
        if client_stream and server_stream:
            list(channel.stream_stream(path)(iter([b""]), metadata=metadata, timeout=10))
        elif client_stream:
            channel.stream_unary(path)(iter([b""]), metadata=metadata, timeout=10)
        elif server_stream:
            next(iter(channel.unary_stream(path)(b"", metadata=metadata, timeout=10)), None)
        else:
            channel.unary_unary(path)(b"", metadata=metadata, timeout=10)
    except grpc.RpcError as error:
        return error.code() == grpc.StatusCode.PERMISSION_DENIED and (error.details() or "").startswith("O-3")
    return False


def _rpcs(service: str) -> Iterator[tuple[str, descriptor_pb2.MethodDescriptorProto, str]]:
    package = importlib.import_module(f"jamsos.{service}.v1")
    for module in sorted(p.stem for p in Path(package.__path__[0]).glob("*_pb2.py")):
        file = importlib.import_module(f"jamsos.{service}.v1.{module}").DESCRIPTOR
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        for grpc_service in proto.service:
            for method in grpc_service.method:
                yield f"{proto.package}.{grpc_service.name}", method, file.name


def roles_rows(service: str) -> list[tuple[str, list[str]]]:
    definition = importlib.import_module(f"services.{service}.bootstrap").definition()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = ServiceRuntime(definition, _settings(service, f"sqlite:///{tmp}/{service}.db")).start(http=False)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}") as channel:
                tokens = {role: _token(role) for role in Role}
                rows = []
                for grpc_service, method, _ in _rpcs(service):
                    path = f"/{grpc_service}/{method.name}"
                    allowed = [role.value for role in Role if not _refused_by_o3(
                        channel, path, method.client_streaming, method.server_streaming, tokens[role])]
                    rows.append((f"{grpc_service.rsplit('.', 1)[-1]}.{method.name}", allowed))
                return rows
        finally:
            runtime.stop(grace=0)


def roles_page() -> str:
    lines = ["# Roles (O-3): who may call what", "",
             "Generated by `make docs` (`scripts/docs_pages.py`) by calling every RPC with a token of each",
             "role (branch staff at a branch, the regional officer at its region, head-office roles at",
             "the head office); do not edit by hand. A role listed passes the O-3 check; the branch",
             "scope (O-2) and the rules still apply: a branch acts on its own records only, a region",
             "reads its branches and acts where a rule gives it a step, the head office reads all.", "",
             "| role | office | who (O-3) |", "|---|---|---|"]
    who = {Role.MARKETING_OFFICER: "registers employers, projects, informal-sector participants",
           Role.ADMINISTRATION_OFFICER: "worker and wage changes, billing, SPI, reconciliation, penalty corrections",
           Role.SERVICE_OFFICER: "claim documents, claim amounts, rejections; welfare applications",
           Role.BRANCH_HEAD: "approves (never their own work, O-4)",
           Role.FINANCE_OFFICER: "payments, payouts, instalments",
           Role.IT_OFFICER: "user access by level",
           Role.REGIONAL_OFFICER: "regional steps (PUMP determination and transfer)",
           Role.HEAD_OFFICE_AUDITOR: "reads everything, changes nothing",
           Role.HEAD_OFFICE_ADMIN: "office tree, rule tables"}
    for role in Role:
        lines.append(f"| `{role.value}` | {OFFICE_OF.get(role, BRANCH)[1].lower()} | {who[role]} |")
    for service in SERVICES:
        lines += ["", f"## {service}", "", "| RPC | roles |", "|---|---|"]
        for rpc, allowed in roles_rows(service):
            shown = "every role" if len(allowed) == len(Role) else ", ".join(allowed) or "none (service tokens only)"
            lines.append(f"| `{rpc}` | {shown} |")
    return "\n".join(lines) + "\n"


# ---- docs/rule-index.md ----------------------------------------------------------------
def _rules_script():
    spec = importlib.util.spec_from_file_location("jamsos_rules_script", ROOT / "scripts" / "rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_index_page() -> str:
    rules = _rules_script()
    book, tests, code = rules.rule_book(), rules.marked_tests(), rules.named_ids(ROOT / "services")
    lines = ["# Rule index: where each rule is proved and implemented", "",
             "Generated by `make docs` from the `@pytest.mark.rule(...)` markers and the modules naming each id",
             "(the same reading as `make rules`); do not edit by hand. The rules themselves, and what each",
             "source means: `docs/rules.md`.", "",
             "| rule | source | tests | test files | modules |", "|---|---|---|---|---|"]
    for rule, summary in book.items():
        text, source = rules.split_source(summary)
        files = sorted({path for path, _ in tests.get(rule, [])})
        modules = sorted(m.removeprefix("services.") for m in code.get(rule, ()))
        lines.append(f"| `{rule}` {_cell(text)} | {_cell(source)} | {len(tests.get(rule, []))} | "
                     f"{'<br>'.join(f'`{f}`' for f in files)} | {'<br>'.join(f'`{m}`' for m in modules)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when a page is not what the code generates")
    args = parser.parse_args()
    stale = []
    for page, render in ((API_PAGE, api_page), (ROLES_PAGE, roles_page), (INDEX_PAGE, rule_index_page)):
        text = render()
        if args.check:
            if not page.exists() or page.read_text(encoding="utf-8") != text:
                stale.append(page.relative_to(ROOT))
        else:
            page.write_text(text, encoding="utf-8")
            print(f"wrote {page.relative_to(ROOT)}", file=sys.stderr)
    if stale:
        print("not current (run `make docs`): " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
