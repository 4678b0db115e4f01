"""Issue #12 under `casedesk serve` (gunicorn gthread workers + job worker): a script over the OS limits is a
422 naming the element within the 5 s CPU limit, the worker serves on, and stopping the service leaves no
sandbox process behind."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from engine.config import PROJECT_ROOT
from engine.sandbox import isolation
from tests.support.served import served_casedesk

PASSWORD = "served-password-1"
LIMITS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits"


def call(base: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(f"{base}{path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def token(base: str, username: str) -> dict[str, str]:
    status, body = call(base, "/api/v1/auth/tokens", json.dumps({"username": username, "password": PASSWORD}).encode(),
                        {"Content-Type": "application/json"})
    assert status == 201, body
    return {"Authorization": f"Bearer {body['token']}"}


def deploy(base: str, headers: dict[str, str], files: list[Path]) -> None:
    boundary = uuid.uuid4().hex
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{f.name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + f.read_bytes() + b"\r\n" for f in files)
    status, body = call(base, "/api/v1/processes", parts + f"--{boundary}--\r\n".encode(),
                        {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status in (200, 201), body


def parents() -> dict[int, int]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            found[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return found


def service_processes(bind: str) -> set[int]:
    """`casedesk serve --bind <bind>` and every process under it: gunicorn, its workers, their sandbox children."""
    roots = {int(p.name) for p in Path("/proc").glob("[0-9]*") if f"--bind {bind}" in _cmdline(p)}
    tree, found = parents(), set(roots)
    while grown := {pid for pid, parent in tree.items() if parent in found} - found:
        found |= grown
    return found


def test_a_served_costly_script_is_a_422_and_the_service_leaves_no_sandbox_process(tmp_path: Path) -> None:
    with served_casedesk(tmp_path, PASSWORD) as served:
        owner, clerk = token(served.base_url, "owen"), token(served.base_url, "alice")
        deploy(served.base_url, owner, sorted(LIMITS.glob("*.bpmn")))
        start = "/api/v1/processes/costly_start/instances"
        json_headers = {**clerk, "Content-Type": "application/json"}

        began = time.monotonic()
        status, body = call(served.base_url, start, b'{"data": {"kind": "round", "amount": 1}}', json_headers)
        assert status == 422 and "costly (Compute the figure)" in body["error"]["message"]
        assert time.monotonic() - began < isolation.WALL_SECONDS
        status, body = call(served.base_url, start, b'{"data": {"kind": "join", "amount": 1}}', json_headers)
        assert status == 422 and "memory" in body["error"]["message"]
        for _ in range(5):  # the same workers go on, their pooled sandbox children reused
            status, body = call(served.base_url, start, b'{"data": {"kind": "ordinary", "amount": 1234}}',
                                json_headers)
            assert status == 201 and body["status"] == "running"
        server = service_processes(served.base_url.removeprefix("http://"))
        tree = parents()
        under_web_workers = {pid for pid in server if tree.get(tree.get(tree.get(pid, 0), 0), 0) in server
                             and "gunicorn" in _cmdline(Path(f"/proc/{tree.get(pid)}"))}
        assert under_web_workers  # serve -> gunicorn -> web worker -> its pooled sandbox child
    deadline = time.monotonic() + 10
    while (left := {pid for pid in server if Path(f"/proc/{pid}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes of the service still running after it stopped: {sorted(left)}"


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
