"""The Extend emulator over real HTTP: samples, both API versions, updates, auth, listing.

Talks to a real ``EmulatorServer`` on port 0 with plain httpx (never the project
client), so the emulator is checked as an independent implementation of the API.
Faults, admin endpoints, persistence and fixtures are in ``test_emulator_state.py``.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer
from extend_emulator.updates import apply_update

LEGACY = "2024-12-23"
CURRENT = "2026-02-09"
PACKAGED_SEED = Path(__file__).parents[1] / "extend_emulator/samples/workflow_run_1234.legacy.json"
SHARED_SEED = Path(__file__).parents[2] / "shared/seeds/workflow_run_1234.legacy.json"


@pytest.fixture(scope="module")
def reader() -> Iterator[httpx.Client]:
    """A client on a server that the read-only tests share (nothing here writes)."""
    with EmulatorServer() as srv, httpx.Client(base_url=srv.url, timeout=5) as client:
        yield client


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as srv:
        yield srv


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as c:
        yield c


def get_run(client: httpx.Client, run_id: str, version: str | None = None) -> dict[str, Any]:
    headers = {"x-extend-api-version": version} if version else {}
    response = client.get(f"/workflow_runs/{run_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "retryable", "requestId"}
    assert body["code"] == code
    assert body["requestId"] == response.headers["x-request-id"]
    assert body["requestId"].startswith("req_")
    return body


# --- the seed ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/v1"])
@pytest.mark.parametrize("version", [None, LEGACY])
def test_seed_renders_exactly_as_extends_reference(
    reader: httpx.Client, prefix: str, version: str | None
) -> None:
    headers = {"x-extend-api-version": version} if version else {}
    response = reader.get(f"{prefix}/workflow_runs/workflow_run_1234", headers=headers)
    assert response.status_code == 200
    assert response.json() == json.loads(PACKAGED_SEED.read_text())
    if SHARED_SEED.exists():
        assert response.json() == json.loads(SHARED_SEED.read_text())


def test_packaged_seed_reference_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not present (CI)")
    assert json.loads(PACKAGED_SEED.read_text()) == json.loads(SHARED_SEED.read_text())


def test_seed_in_current_version_keeps_values_and_citations(reader: httpx.Client) -> None:
    legacy = json.loads(PACKAGED_SEED.read_text())["workflowRun"]
    run = get_run(reader, "workflow_run_1234", CURRENT)
    assert run["object"] == "workflow_run"
    assert "name" not in run  # 2026-02-09 reads have no name
    assert run["reviewed"] is True and run["reviewedByUser"] == "user_1234@example.com"
    workflow = {k: run["workflow"][k] for k in ("object", "id", "name")}
    assert workflow == {"object": "workflow", "id": "workflow_1234", "name": "test_workflow"}
    assert run["workflowVersion"]["version"] == "1"
    assert run["dashboardUrl"] == "https://dashboard.extend.ai/workflows/workflow_run_1234"
    extract = run["stepRuns"][0]["result"]["extractRun"]
    legacy_output = legacy["outputs"][0]["output"]
    assert extract["output"]["value"] == legacy_output["value"]
    citation = extract["output"]["metadata"]["amount"]["citations"][0]
    assert citation["page"] == {"number": 1}
    assert citation["polygon"] == legacy_output["metadata"]["amount"]["citations"][0]["polygon"]
    assert citation["referenceText"] == "TOTAL  $15,735.1"


# --- every sample, both shapes ----------------------------------------------------


STEP_TYPES = {
    "PARSE", "EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT", "CLASSIFY", "SPLIT",
    "RULE_VALIDATION", "VALIDATION", "EXTERNAL_DATA_VALIDATION", "ROUTER",
}  # fmt: skip
PROCESSOR_TYPES = {"PARSE", "EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT", "CLASSIFY", "SPLIT"}


def _processor_runs(step: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``extractRun`` / ``classifyRun`` / ... of a 2026 step run (not a validation result)."""
    result = step["result"] if step["stepType"] not in STEP_TYPES - PROCESSOR_TYPES else None
    return [v for v in (result or {}).values() if isinstance(v, dict) and "id" in v]


def _legacy_citations(output: Any) -> list[dict[str, Any]]:
    metadata = (output or {}).get("metadata") or {}
    return [c for entry in metadata.values() for c in entry.get("citations") or []]


@pytest.mark.parametrize("run_id", SAMPLE_RUN_IDS)
def test_sample_in_legacy_shape(reader: httpx.Client, run_id: str) -> None:
    body = get_run(reader, run_id, LEGACY)
    assert set(body) == {"success", "workflowRun"} and body["success"] is True
    run = body["workflowRun"]
    assert run["object"] == "workflow_run" and run["id"] == run_id
    assert isinstance(run["metadata"], dict) and isinstance(run["files"], list)
    assert set(run["workflow"]) == {"object", "id", "version", "name"}
    for output in run["outputs"]:
        assert output["object"] == "document_processor_run"
        assert output["type"] in {"EXTRACT", "CLASSIFY", "SPLITTER"}
        assert isinstance(output["edited"], bool)
        for citation in _legacy_citations(output["output"]):
            assert isinstance(citation["page"], int) and "fileId" not in citation


@pytest.mark.parametrize("run_id", SAMPLE_RUN_IDS)
def test_sample_in_current_shape(reader: httpx.Client, run_id: str) -> None:
    run = get_run(reader, run_id, CURRENT)
    assert run["object"] == "workflow_run" and run["id"] == run_id
    for key in ("workflowVersion", "dashboardUrl", "reviewed", "rejectionNote"):
        assert key in run
    assert "outputs" not in run and "success" not in run and "name" not in run
    for step in run["stepRuns"]:
        assert step["object"] == "workflow_step_run" and step["workflowRunId"] == run_id
        assert step["stepType"] in STEP_TYPES
        assert step["step"]["type"] == step["stepType"]
        for result in _processor_runs(step):
            for citation in _legacy_citations(result.get("output")):
                assert isinstance(citation["page"]["number"], int)


@pytest.mark.parametrize("run_id", SAMPLE_RUN_IDS)
def test_both_versions_carry_the_same_results(reader: httpx.Client, run_id: str) -> None:
    legacy = get_run(reader, run_id, LEGACY)["workflowRun"]
    current = get_run(reader, run_id, CURRENT)
    results = {body["id"]: body for step in current["stepRuns"] for body in _processor_runs(step)}
    for output in legacy["outputs"]:
        twin = results[output["id"]]
        for key in ("output", "initialOutput", "reviewedOutput"):
            assert _flatten(twin[key]) == output[key]
    for key in ("status", "metadata", "startTime", "endTime", "reviewedAt", "initialRunAt"):
        assert legacy[key] == current[key]


def _flatten(output: Any) -> Any:
    """2026 citations -> 2024 ones, to compare the two renderings."""
    output = json.loads(json.dumps(output))
    for citation in _legacy_citations(output):
        page = citation.pop("page")
        citation.pop("fileId", None)
        citation["page"] = page["number"]
        if "width" in page:
            citation["pageWidth"] = page["width"]
        if "height" in page:
            citation["pageHeight"] = page["height"]
    return output


def test_sample_contents(reader: httpx.Client) -> None:
    invoice = get_run(reader, "workflow_run_invoice_multipage")["workflowRun"]["outputs"][0]
    value, meta = invoice["output"]["value"], invoice["output"]["metadata"]
    assert value["total"]["iso_4217_currency_code"] == "EUR"
    assert {c["page"] for c in _legacy_citations(invoice["output"])} == {1, 2, 3}
    assert "line_items[0].amount" in meta and len(value["line_items"]) >= 2
    assert all(m["insights"] for k, m in meta.items() if "[" not in k)

    corrected = get_run(reader, "workflow_run_reviewed_corrections")["workflowRun"]
    out = corrected["outputs"][0]
    changed = [
        k
        for k in out["output"]["value"]
        if out["output"]["value"][k] != out["initialOutput"]["value"][k]
    ]
    assert {"total", "due_date"} <= set(changed) and out["edited"] is True
    assert corrected["reviewedBy"].startswith("user_")
    assert "@" in get_run(reader, "workflow_run_reviewed_corrections", CURRENT)["reviewedByUser"]

    review = get_run(reader, "workflow_run_needs_review")["workflowRun"]
    assert review["status"] == "NEEDS_REVIEW"
    fields = review["outputs"][0]["output"]["metadata"].values()
    assert sum(1 for f in fields if (f["ocrConfidence"] or 1) < 0.8) >= 2
    assert any("reviewAgentScore" in f for f in fields)

    failed = get_run(reader, "workflow_run_failed", CURRENT)
    assert failed["status"] == "FAILED" and failed["failureReason"] and failed["failureMessage"]
    processing = get_run(reader, "workflow_run_processing")["workflowRun"]
    assert processing["outputs"] == [] and processing["startTime"] and processing["endTime"] is None

    classify = get_run(reader, "workflow_run_classify")["workflowRun"]["outputs"][0]
    assert classify["type"] == "CLASSIFY" and classify["output"]["type"] == "invoice"
    split = get_run(reader, "workflow_run_split", CURRENT)["stepRuns"][-1]["result"]["splitRun"]
    assert [s["startPage"] for s in split["output"]["splits"]] == [1, 3, 4]

    injected = get_run(reader, "workflow_run_injection")["workflowRun"]["outputs"][0]["output"]
    assert "Ignore previous instructions" in injected["value"]["notes"]
    assert "<!channel>" in injected["metadata"]["notes"]["citations"][0]["referenceText"]


# --- updates ------------------------------------------------------------------------


def test_update_replaces_name_and_merges_metadata(
    server: EmulatorServer, client: httpx.Client
) -> None:
    before = server.get_run_state("workflow_run_1234")
    assert before is not None
    response = client.post(
        "/workflow_runs/workflow_run_1234",
        json={"name": "ACME March", "metadata": {"vendor": "ACME", "internal_id": "id_9"}},
    )
    assert response.status_code == 200
    run = response.json()["workflowRun"]
    assert run["name"] == "ACME March"
    assert run["metadata"] == {"internal_id": "id_9", "vendor": "ACME"}

    # a body without "name" keeps the name; metadata keys not sent are kept
    tags = {"extend:usage_tags": ["urgent"]}
    run = client.post("/v1/workflow_runs/workflow_run_1234", json={"metadata": tags}).json()
    assert run["workflowRun"]["name"] == "ACME March"
    assert run["workflowRun"]["metadata"] == {"internal_id": "id_9", "vendor": "ACME", **tags}
    run = client.post(
        "/workflow_runs/workflow_run_1234",
        json={"name": "Renamed"},
        headers={"x-extend-api-version": CURRENT},
    ).json()
    # 2026-02-09 reads carry no name (the SDK's WorkflowRun has none); the store has it
    assert run["object"] == "workflow_run" and "name" not in run
    assert run["metadata"]["vendor"] == "ACME"
    state = server.get_run_state("workflow_run_1234")
    assert state is not None and state["steps"] == before["steps"]
    assert state["name"] == "Renamed" and state["updatedAt"] > before["updatedAt"]


def test_repeating_an_update_gives_the_same_run(client: httpx.Client) -> None:
    body = {"name": "Same", "metadata": {"k": "v"}}
    first = client.post("/workflow_runs/workflow_run_split", json=body).json()
    second = client.post("/workflow_runs/workflow_run_split", json=body).json()
    assert first == second


def test_update_of_unknown_run_is_404(client: httpx.Client) -> None:
    body = assert_error(
        client.post("/workflow_runs/workflow_run_nope", json={"name": "x"}), 404, "NOT_FOUND"
    )
    assert "workflow_run_nope" in body["message"]
    assert_error(client.get("/workflow_runs/workflow_run_nope"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"name"',
        b'{"name": null}',
        b'{"name": ""}',
        b'{"name": "   "}',
        b'{"name": 5}',
        b'{"metadata": null}',
        b'{"metadata": ["a"]}',
        b'{"metadata": {"extend:usage_tags": "urgent"}}',
        b'{"metadata": {"extend:usage_tags": ["ok", 3]}}',
        b'{"name": "ok", "status": "PROCESSED"}',
        b'{"tags": ["x"]}',
    ],
)
def test_bad_update_bodies_are_400_and_change_nothing(
    server: EmulatorServer, client: httpx.Client, content: bytes
) -> None:
    before = server.get_run_state("workflow_run_needs_review")
    response = client.post(
        "/workflow_runs/workflow_run_needs_review",
        content=content,
        headers={"content-type": "application/json"},
    )
    body = assert_error(response, 400, "INVALID_REQUEST")
    assert body["retryable"] is False
    assert server.get_run_state("workflow_run_needs_review") == before


def test_concurrent_updates_all_land(server: EmulatorServer, client: httpx.Client) -> None:
    def tag(i: int) -> int:
        path = "/workflow_runs/workflow_run_processing"
        return client.post(path, json={"metadata": {f"k{i}": i}}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(tag, range(24))) == {200}
    metadata = (server.get_run_state("workflow_run_processing") or {})["metadata"]
    assert all(metadata[f"k{i}"] == i for i in range(24))


@given(
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=4),
)
def test_metadata_merges_key_by_key_with_incoming_keys_winning(
    existing: dict[str, int], first: dict[str, int], second: dict[str, int]
) -> None:
    run = {"id": "r", "name": "n", "metadata": existing, "updatedAt": "t0"}
    after = apply_update(apply_update(run, {"metadata": first}, "t1"), {"metadata": second}, "t2")
    assert after["metadata"] == {**existing, **first, **second}
    assert after["name"] == "n" and after["updatedAt"] == "t2"
    assert run["metadata"] == existing  # the input is not mutated


def test_chunked_update_body_is_accepted(server: EmulatorServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(
        "POST",
        "/workflow_runs/workflow_run_classify",
        body=iter([b'{"name": ', b'"chunked"}']),
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["workflowRun"]["name"] == "chunked"
    conn.close()


# --- versions, auth, routing ---------------------------------------------------------


def test_default_version_is_configurable() -> None:
    with EmulatorServer(default_version=CURRENT) as srv:
        run = httpx.get(f"{srv.url}/workflow_runs/workflow_run_1234").json()
        assert run["object"] == "workflow_run" and "stepRuns" in run
        legacy = httpx.get(
            f"{srv.url}/workflow_runs/workflow_run_1234",
            headers={"x-extend-api-version": LEGACY},
        ).json()
        assert legacy["success"] is True
    with pytest.raises(ValueError):
        EmulatorServer(default_version="2025-04-21")


def test_unknown_version_is_400_naming_the_supported_ones(reader: httpx.Client) -> None:
    response = reader.get(
        "/workflow_runs/workflow_run_1234", headers={"x-extend-api-version": "2025-04-21"}
    )
    body = assert_error(response, 400, "INVALID_REQUEST")
    assert LEGACY in body["message"] and CURRENT in body["message"]


def test_api_key_is_required_when_configured() -> None:
    with EmulatorServer(api_key="sk_test_123") as srv, httpx.Client(base_url=srv.url) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "sk_test_123"}):
            body = assert_error(
                c.get("/workflow_runs/workflow_run_1234", headers=headers), 401, "UNAUTHORIZED"
            )
            assert body["retryable"] is False and "sk_test_123" not in body["message"]
        ok = c.get(
            "/workflow_runs/workflow_run_1234", headers={"Authorization": "Bearer sk_test_123"}
        )
        assert ok.status_code == 200


def test_any_or_no_bearer_is_accepted_without_api_key(reader: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer whatever"}):
        assert reader.get("/workflow_runs/workflow_run_1234", headers=headers).status_code == 200


def test_routing_errors(reader: httpx.Client) -> None:
    response = reader.delete("/workflow_runs/workflow_run_1234")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"
    assert_error(reader.post("/workflow_runs", json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(reader.get("/workflows"), 404, "NOT_FOUND")
    assert_error(reader.get("/workflow_runs/a/b"), 404, "NOT_FOUND")
    assert reader.get("/health").headers["x-request-id"].startswith("req_")


def test_connections_are_kept_alive(reader: httpx.Client) -> None:
    port = httpx.URL(str(reader.base_url)).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(3):  # three requests on one socket
        conn.request("GET", "/workflow_runs/workflow_run_1234")
        response = conn.getresponse()
        assert response.status == 200
        assert int(response.getheader("content-length")) == len(response.read())
    conn.close()


# --- listing ------------------------------------------------------------------------


def list_runs(client: httpx.Client, version: str = LEGACY, **params: Any) -> dict[str, Any]:
    response = client.get(
        "/workflow_runs", params=params, headers={"x-extend-api-version": version}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_list_returns_summaries_newest_first(reader: httpx.Client) -> None:
    body = list_runs(reader, maxPageSize=100)
    assert set(body) == {"success", "workflowRuns", "nextPageToken"}
    runs = body["workflowRuns"]
    assert sorted(r["id"] for r in runs) == sorted(SAMPLE_RUN_IDS)
    assert body["nextPageToken"] is None
    assert [r["updatedAt"] for r in runs] == sorted((r["updatedAt"] for r in runs), reverse=True)
    for run in runs:
        assert "outputs" not in run and "stepRuns" not in run
        for key in ("workflowId", "workflowName", "workflowVersionId", "reviewedByUser", "files"):
            assert key in run
    current = list_runs(reader, CURRENT, maxPageSize=100)
    assert current["object"] == "list" and len(current["data"]) == len(SAMPLE_RUN_IDS)
    assert current["data"][0]["object"] == "workflow_run"


def test_list_filters(reader: httpx.Client) -> None:
    def ids(**params: Any) -> set[str]:
        return {r["id"] for r in list_runs(reader, **params)["workflowRuns"]}

    assert ids(status="NEEDS_REVIEW") == {"workflow_run_needs_review"}
    assert ids(batchId="batch_ap_20240918") == {"workflow_run_needs_review", "workflow_run_failed"}
    assert ids(workflowId="workflow_shipment_splitter") == {"workflow_run_split"}
    assert ids(fileNameContains="NORTHWIND") == {"workflow_run_invoice_multipage"}
    assert ids(status="PROCESSED", workflowId="workflow_1234") == {"workflow_run_1234"}
    assert ids(status="CANCELLED") == set()


def test_list_pages_through_everything_in_order(reader: httpx.Client) -> None:
    seen: list[str] = []
    token = None
    for _ in range(10):
        params: dict[str, Any] = {"maxPageSize": 4, "sortBy": "createdAt", "sortDir": "asc"}
        if token:
            params["nextPageToken"] = token
        body = list_runs(reader, CURRENT, **params)
        assert len(body["data"]) <= 4
        seen += [r["id"] for r in body["data"]]
        token = body["nextPageToken"]
        if token is None:
            break
    assert sorted(seen) == sorted(SAMPLE_RUN_IDS) and len(seen) == len(set(seen))
    created = [r["createdAt"] for r in list_runs(reader, CURRENT, maxPageSize=100)["data"]]
    by_id = dict(zip([r["id"] for r in list_runs(reader, CURRENT, maxPageSize=100)["data"]],
                     created, strict=True))  # fmt: skip
    assert [by_id[i] for i in seen] == sorted(by_id[i] for i in seen)
    assert seen[0] == "workflow_run_1234"


@pytest.mark.parametrize(
    "params",
    [
        {"maxPageSize": "0"},
        {"maxPageSize": "1001"},
        {"maxPageSize": "ten"},
        {"sortBy": "name"},
        {"sortDir": "up"},
        {"nextPageToken": "garbage!"},
        {"nextPageToken": "eyJrIjogMX0"},
    ],
)
def test_list_rejects_bad_parameters(reader: httpx.Client, params: dict[str, str]) -> None:
    assert_error(reader.get("/workflow_runs", params=params), 400, "INVALID_REQUEST")


def test_page_token_is_tied_to_its_query(reader: httpx.Client) -> None:
    token = list_runs(reader, maxPageSize=2)["nextPageToken"]
    assert token
    response = reader.get("/workflow_runs", params={"nextPageToken": token, "status": "FAILED"})
    assert_error(response, 400, "INVALID_REQUEST")
    assert list_runs(reader, maxPageSize=1000)["nextPageToken"] is None
