"""The Extend emulator's state and failure modes: faults, admin endpoints, request log,
persistence across restarts and fixtures. Real servers on port 0, plain httpx.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer

SEED_PATH = "/workflow_runs/workflow_run_1234"
CURRENT = {"x-extend-api-version": "2026-02-09"}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as srv:
        yield srv


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as c:
        yield c


# --- faults ---------------------------------------------------------------------------


def test_rate_limit_fault_applies_count_times(server: EmulatorServer, client: httpx.Client) -> None:
    fault = server.faults.add("rate_limit", count=2)
    for _ in range(2):
        response = client.get(SEED_PATH)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "1"
        body = response.json()
        assert body["code"] == "RATE_LIMIT_EXCEEDED" and body["retryable"] is True
        assert body["requestId"] == response.headers["x-request-id"]
    assert client.get(SEED_PATH).status_code == 200
    assert fault.fired == 2
    assert [r["status"] for r in server.requests] == [429, 429, 200]


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(3, "3"), (2.5, "2.5"), ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT")],
)
def test_retry_after_is_sent_as_given(
    server: EmulatorServer, client: httpx.Client, retry_after: Any, header: str
) -> None:
    server.faults.add("rate_limit", count=1, retry_after=retry_after)
    assert client.get(SEED_PATH).headers["retry-after"] == header


@pytest.mark.parametrize(
    ("status", "code"),
    [(None, "INTERNAL_SERVER_ERROR"), (503, "SERVICE_UNAVAILABLE"), (502, "BAD_GATEWAY")],
)
def test_error_fault(
    server: EmulatorServer, client: httpx.Client, status: int | None, code: str
) -> None:
    server.faults.add("error", count=1, status=status)
    response = client.post(SEED_PATH, json={"name": "never applied"})
    assert response.status_code == (status or 500)
    assert response.json()["code"] == code and response.json()["retryable"] is True
    assert (server.get_run_state("workflow_run_1234") or {}).get("name") is None
    assert client.get(SEED_PATH).status_code == 200


def test_latency_fault_delays_then_answers(server: EmulatorServer, client: httpx.Client) -> None:
    server.faults.add("latency", latency_ms=150, count=1)
    started = time.perf_counter()
    assert client.get(SEED_PATH).status_code == 200
    assert time.perf_counter() - started >= 0.14
    started = time.perf_counter()
    client.get(SEED_PATH)
    assert time.perf_counter() - started < 0.14


def test_latency_fault_trips_a_client_timeout(server: EmulatorServer) -> None:
    server.faults.add("latency", latency_ms=400, count=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(server.url + SEED_PATH, timeout=0.1)


def test_drop_fault_closes_the_connection(server: EmulatorServer, client: httpx.Client) -> None:
    server.faults.add("drop", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get(SEED_PATH)
    assert client.get(SEED_PATH).status_code == 200
    assert [r["status"] for r in server.requests] == [0, 200]


def test_malformed_fault(server: EmulatorServer, client: httpx.Client) -> None:
    server.faults.add("malformed", count=1)
    response = client.get(SEED_PATH)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    server.faults.add("malformed", count=1, status=200)
    assert client.get(SEED_PATH).json() == {
        "success": True,
        "workflowRun": {"id": 5, "outputs": "nope"},
    }
    server.faults.add("malformed", count=1, status=200)
    assert client.get(SEED_PATH, headers=CURRENT).json()["stepRuns"] == "nope"


def test_faults_match_method_and_path(server: EmulatorServer, client: httpx.Client) -> None:
    server.faults.add("error", status=503, method="POST")
    server.faults.add("rate_limit", path_contains="workflow_run_failed")
    assert client.get(SEED_PATH).status_code == 200
    assert client.post(SEED_PATH, json={"name": "x"}).status_code == 503
    assert client.get("/workflow_runs/workflow_run_failed").status_code == 429
    server.faults.clear()
    assert client.get("/workflow_runs/workflow_run_failed").status_code == 200


def test_rate_faults_are_reproducible() -> None:
    def pattern() -> list[int]:
        with EmulatorServer() as srv, httpx.Client(base_url=srv.url) as c:
            srv.faults.add("error", rate=0.5, seed=7)
            return [c.get(SEED_PATH).status_code for _ in range(16)]

    first = pattern()
    assert first == pattern()
    assert 200 in first and 500 in first


def test_faults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = [{"kind": "error", "status": 503, "count": 1}, {"kind": "latency", "latency_ms": 1}]
    monkeypatch.setenv("EXTEND_EMULATOR_FAULTS", json.dumps(spec))
    with EmulatorServer() as srv:
        assert [f.kind for f in srv.faults.snapshot()] == ["error", "latency"]
        assert httpx.get(srv.url + SEED_PATH).status_code == 503
    monkeypatch.setenv("EXTEND_EMULATOR_FAULTS", "[{")
    with pytest.raises(ValueError, match="EXTEND_EMULATOR_FAULTS"):
        EmulatorServer().start()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "latency"},
        {"kind": "error", "status": 200},
        {"kind": "rate_limit", "status": 503},
        {"kind": "error", "rate": 2.0},
        {"kind": "error", "count": 0},
    ],
)
def test_invalid_faults_are_rejected(server: EmulatorServer, kwargs: dict[str, Any]) -> None:
    kind = kwargs.pop("kind")
    with pytest.raises(ValueError):
        server.faults.add(kind, **kwargs)


# --- request log and admin ------------------------------------------------------------


def test_requests_are_recorded_with_credentials_redacted(
    server: EmulatorServer, client: httpx.Client
) -> None:
    client.post(
        SEED_PATH + "?x=1",
        json={"name": "n"},
        headers={"Authorization": "Bearer sk_live_secret", "x-extend-workspace-id": "ws_1"},
    )
    (entry,) = server.requests
    assert entry["method"] == "POST" and entry["path"] == SEED_PATH
    assert entry["query"] == {"x": "1"} and entry["body"] == {"name": "n"}
    assert entry["status"] == 200
    assert entry["headers"]["authorization"] == "Bearer ***"
    assert entry["headers"]["x-extend-workspace-id"] == "ws_1"
    assert "sk_live_secret" not in json.dumps(server.requests)
    server.clear_requests()
    assert server.requests == []


def test_admin_endpoints(server: EmulatorServer, client: httpx.Client) -> None:
    health = client.get("/_emulator/health").json()
    assert health["status"] == "ok" and health["runs"] == len(SAMPLE_RUN_IDS)

    added = client.post("/_emulator/faults", json={"kind": "rate_limit", "count": 1}).json()
    assert added["faults"][0]["kind"] == "rate_limit"
    assert client.get(SEED_PATH).status_code == 429
    assert client.get("/_emulator/faults").json()["faults"][0]["fired"] == 1
    client.post("/_emulator/faults", json=[{"kind": "error"}, {"kind": "drop", "count": 1}])
    assert client.delete("/_emulator/faults").status_code == 200
    assert client.get(SEED_PATH).status_code == 200
    bad = client.post("/_emulator/faults", json={"kind": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_REQUEST"

    logged = client.get("/_emulator/requests").json()["requests"]
    assert [r["status"] for r in logged] == [429, 200]  # admin calls are not recorded
    client.delete("/_emulator/requests")
    assert client.get("/_emulator/requests").json()["requests"] == []

    client.post(SEED_PATH, json={"name": "changed"})
    server.faults.add("error")
    assert client.post("/_emulator/reset").json()["reset"] is True
    assert (server.get_run_state("workflow_run_1234") or {})["name"] is None
    assert server.faults.snapshot() == [] and server.requests == []
    assert client.get("/_emulator/nothing").status_code == 404


def test_admin_needs_no_auth_and_is_never_faulted() -> None:
    with EmulatorServer(api_key="k") as srv, httpx.Client(base_url=srv.url) as c:
        srv.faults.add("drop")
        assert c.get("/_emulator/health").json()["authRequired"] is True
        assert c.get("/_emulator/requests").status_code == 200


def test_reset_restores_samples_and_clears_state(
    server: EmulatorServer, client: httpx.Client
) -> None:
    client.post(SEED_PATH, json={"name": "x", "metadata": {"a": 1}})
    server.faults.add("error")
    server.reset()
    assert client.get(SEED_PATH).json()["workflowRun"]["metadata"] == {"internal_id": "id_1234"}
    assert [r["status"] for r in server.requests] == [200]


# --- persistence -------------------------------------------------------------------------


def test_changes_survive_a_restart_with_a_data_dir(tmp_path: Path) -> None:
    with EmulatorServer(data_dir=tmp_path) as srv:
        response = httpx.post(srv.url + SEED_PATH, json={"name": "ACME March"})
        assert response.status_code == 200
    assert (tmp_path / "emulator.sqlite3").is_file()
    with EmulatorServer(data_dir=tmp_path) as srv:
        assert httpx.get(srv.url + SEED_PATH).json()["workflowRun"]["name"] == "ACME March"
        assert (srv.get_run_state("workflow_run_1234") or {})["name"] == "ACME March"
    with EmulatorServer(data_dir=tmp_path, reset=True) as srv:
        assert "name" not in httpx.get(srv.url + SEED_PATH).json()["workflowRun"]
    with EmulatorServer() as srv:  # no data dir: fresh state every time
        assert (srv.get_run_state("workflow_run_1234") or {})["name"] is None


def test_a_stopped_server_cannot_restart() -> None:
    srv = EmulatorServer().start()
    srv.stop()
    srv.stop()
    with pytest.raises(RuntimeError):
        srv.start()


# --- fixtures ---------------------------------------------------------------------------


def test_fixtures_in_every_shape(tmp_path: Path) -> None:
    with EmulatorServer() as srv, httpx.Client(base_url=srv.url) as c:
        legacy = c.get("/workflow_runs/workflow_run_reviewed_corrections").json()
        current = c.get("/workflow_runs/workflow_run_invoice_multipage", headers=CURRENT).json()
        canonical = srv.get_run_state("workflow_run_split")
    assert canonical is not None

    legacy["workflowRun"]["id"] = "fx_envelope"
    bare = json.loads(json.dumps(legacy["workflowRun"]))
    bare["id"] = "fx_bare"
    current["id"] = "fx_current"
    current["dashboardUrl"] = "https://dashboard.extend.ai/workflows/fx_current"
    for step_run in current["stepRuns"]:  # a step run names the run it belongs to
        step_run["workflowRunId"] = "fx_current"
    canonical["id"] = "fx_canonical"
    (tmp_path / "a.json").write_text(json.dumps(legacy))
    (tmp_path / "b.json").write_text(json.dumps([bare, canonical]))
    (tmp_path / "c.json").write_text(json.dumps(current))
    (tmp_path / "notes.txt").write_text("ignored")

    with EmulatorServer(fixtures_dir=tmp_path) as srv, httpx.Client(base_url=srv.url) as c:
        ids = {
            r["id"]
            for r in c.get("/workflow_runs", params={"maxPageSize": 100}).json()["workflowRuns"]
        }
        assert ids == set(SAMPLE_RUN_IDS) | {"fx_envelope", "fx_bare", "fx_current", "fx_canonical"}
        assert c.get("/workflow_runs/fx_envelope").json() == legacy
        assert c.get("/workflow_runs/fx_current", headers=CURRENT).json() == current
        assert c.get("/workflow_runs/fx_bare").json()["workflowRun"] == bare
        split = c.get("/workflow_runs/fx_canonical", headers=CURRENT).json()
        assert split["stepRuns"][-1]["stepType"] == "SPLIT"
        c.post("/workflow_runs/fx_bare", json={"name": "edited"})
        srv.reset()
        assert c.get("/workflow_runs/fx_bare").json()["workflowRun"]["name"] == bare["name"]


def test_bad_fixture_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"broken\.json"):
        EmulatorServer(fixtures_dir=tmp_path)
    (tmp_path / "broken.json").write_text(json.dumps({"workflowRun": {"status": "PROCESSED"}}))
    with pytest.raises(ValueError, match="id"):
        EmulatorServer(fixtures_dir=tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        EmulatorServer(fixtures_dir=tmp_path / "missing")
