"""The Extend client over real HTTP against the emulator: both versions, get and update."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY, no_sleep
from tools.client.clients import ExtendClient
from tools.client.config import ClientConfig
from tools.client.errors import AuthenticationError, NotFoundError, ValidationError
from tools.runs.models import Run

SEED_ID = "workflow_run_1234"


def _assert_seed_fields(run: Run) -> None:
    amount = run.field("amount")
    invoice = run.field("invoice_number")
    assert amount is not None and invoice is not None
    assert amount.value == {"amount": 15735.1, "iso_4217_currency_code": "USD"}
    assert invoice.value == "36995"
    assert [(c.page, c.reference_text) for c in amount.citations] == [(1, "TOTAL  $15,735.1")]
    assert [(c.page, c.reference_text) for c in invoice.citations] == [(1, "Invoice #36995")]
    assert amount.citations[0].polygon[0].x == pytest.approx(430.164)
    assert amount.ocr_confidence == pytest.approx(0.992)
    assert invoice.logprobs_confidence == 1
    assert "currency is USD" in amount.reasoning[0]
    assert run.results[0].kind == "extract"


def test_seed_run_normalizes_in_the_seed_shape(client: ExtendClient) -> None:
    run = client.get_run(SEED_ID)
    _assert_seed_fields(run)
    assert run.status == "PROCESSED"
    assert run.api_version == "2024-12-23"
    assert run.workflow.id == "workflow_1234"
    assert run.workflow.version == "1"
    assert run.workflow.name == "test_workflow"
    assert run.reviewed_by == "user_1234"
    assert run.metadata == {"internal_id": "id_1234"}
    assert [f.name for f in run.files] == ["example_file_name.pdf"]
    assert run.raw["id"] == SEED_ID  # the exact JSON stays reachable


def test_seed_run_normalizes_the_same_in_the_current_shape(current_client: ExtendClient) -> None:
    run = current_client.get_run(SEED_ID)
    _assert_seed_fields(run)
    assert run.api_version == "2026-02-09"
    assert "stepRuns" in run.raw
    assert run.workflow.id == "workflow_1234"


def test_every_sample_parses_in_both_versions(
    client: ExtendClient, current_client: ExtendClient
) -> None:
    from extend_emulator import SAMPLE_RUN_IDS

    for run_id in SAMPLE_RUN_IDS:
        legacy, current = client.get_run(run_id), current_client.get_run(run_id)
        assert legacy.id == current.id == run_id
        assert legacy.status == current.status
        # 2026-02-09 also lists steps still running (no output yet); compare the finished ones
        assert _finished_kinds(legacy) == _finished_kinds(current)
        legacy_values = {f.name: f.value for f in legacy.fields}
        assert legacy_values == {f.name: f.value for f in current.fields}


def test_reviewer_corrections_keep_old_and_new_evidence_apart(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_reviewed_corrections")
    total = run.field("total")
    assert total is not None and total.edited
    assert total.initial_value == {"amount": 1240.0, "iso_4217_currency_code": "USD"}
    assert total.value == {"amount": 1420.0, "iso_4217_currency_code": "USD"}
    assert [c.reference_text for c in total.citations] == ["TOTAL DUE $1,420.00"]
    assert [c.reference_text for c in total.initial_citations] == ["Subtotal $1,240.00"]
    unchanged = [f for f in run.fields if not f.edited]
    assert unchanged and all(f.initial_value is None and not f.initial_citations for f in unchanged)


def _finished_kinds(run: Run) -> list[str]:
    return [r.kind for r in run.results if r.fields or r.classification or r.splits]


def test_requests_carry_auth_version_and_user_agent(emulator: EmulatorServer) -> None:
    with ExtendClient(
        EMULATOR_KEY, base_url=emulator.url, workspace_id="ws_42", api_version="2026-02-09"
    ) as extend:
        extend.get_run(SEED_ID)
    headers = {k.lower(): v for k, v in emulator.requests[-1]["headers"].items()}
    assert headers["authorization"].startswith("Bearer ")
    assert headers["x-extend-api-version"] == "2026-02-09"
    assert headers["x-extend-workspace-id"] == "ws_42"
    assert headers["user-agent"].startswith("extend-run-agent/")


def test_base_url_with_v1_prefix_works(emulator: EmulatorServer) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=f"{emulator.url}/v1") as extend:
        assert extend.get_run(SEED_ID).id == SEED_ID
    assert emulator.requests[-1]["path"].startswith("/v1/workflow_runs/")


@pytest.mark.parametrize("version", ["2024-12-23", "2026-02-09"])
def test_update_renames_and_merges_metadata(emulator: EmulatorServer, version: str) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as extend:
        # 2026-02-09 reads carry no name (update takes one): only 2024-12-23 reads it back
        read_back = "ACME March" if version == "2024-12-23" else None
        run = extend.update_run(SEED_ID, name="ACME March", metadata={"vendor": "ACME"})
        assert run.name == read_back and ("name" in run.raw) == (read_back is not None)
        assert run.metadata == {"internal_id": "id_1234", "vendor": "ACME"}
        run = extend.update_run(SEED_ID, metadata={"internal_id": "id_9", "tags": ["urgent"]})
        assert run.name == read_back  # a field left out is left unchanged
        assert run.metadata == {"internal_id": "id_9", "vendor": "ACME", "tags": ["urgent"]}
        assert extend.get_run(SEED_ID).metadata == run.metadata
    bodies = [r["body"] for r in emulator.requests if r["method"] == "POST"]
    assert bodies == [
        {"name": "ACME March", "metadata": {"vendor": "ACME"}},
        {"metadata": {"internal_id": "id_9", "tags": ["urgent"]}},  # no "name": null
    ]


def test_unknown_run_raises_not_found_with_guidance(client: ExtendClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.get_run("workflow_run_does_not_exist")
    error = info.value
    assert error.status_code == 404
    assert error.code == "NOT_FOUND"
    assert error.request_id
    assert "workflow_run_does_not_exist" in str(error)
    assert "Check the run id" in str(error)


def test_wrong_key_raises_auth_error_without_leaking_it(emulator: EmulatorServer) -> None:
    secret = "sk_live_this_must_never_be_printed"
    with (
        ExtendClient(secret, base_url=emulator.url) as extend,
        pytest.raises(AuthenticationError) as info,
    ):
        extend.get_run(SEED_ID)
    assert "EXTEND_API_KEY" in str(info.value)
    assert secret not in str(info.value) and secret not in repr(info.value.body)
    assert len(emulator.requests) == 1  # a 401 is not retried


def test_missing_key_is_a_clear_error_before_any_request() -> None:
    with pytest.raises(ValidationError, match="EXTEND_API_KEY"):
        ExtendClient(base_url="http://127.0.0.1:9")


def test_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTEND_API_KEY", "k")
    monkeypatch.setenv("EXTEND_BASE_URL", "https://api.extend.ai")
    monkeypatch.setenv("EXTEND_API_VERSION", "2026-02-09")
    monkeypatch.setenv("EXTEND_WORKSPACE_ID", "ws_1")
    monkeypatch.setenv("EXTEND_MAX_RETRIES", "5")
    config = ClientConfig.from_env()
    assert (config.base_url, config.api_version, config.workspace_id) == (
        "https://api.extend.ai",
        "2026-02-09",
        "ws_1",
    )
    assert config.max_retries == 5
    assert "k" not in repr(config).replace("workspace", "")  # the key is kept out of repr
    monkeypatch.setenv("EXTEND_API_VERSION", "2023-01-01")
    with pytest.raises(ValueError, match="2024-12-23 or 2026-02-09"):
        ClientConfig.from_env()


def test_defaults_are_the_seed_api() -> None:
    config = ClientConfig(api_key="k")
    assert config.base_url == "https://api-prod.extend.app/v1"
    assert config.api_version == "2024-12-23"
    assert config.max_retries == 3
    assert config.max_metadata_bytes == 10 * 1024


def test_importing_the_client_stays_light() -> None:
    code = (
        "import sys, tools.client.clients; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain', 'langchain_core', 'langgraph', 'slack_sdk', 'slack_bolt', 'mcp', "
        "'openai', 'pydantic')]; print(json.dumps(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json; " + code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == []


def test_per_call_timeout_is_applied(emulator: EmulatorServer) -> None:
    from tools.client.errors import APITimeoutError

    emulator.faults.add("latency", latency_ms=600, count=1)
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, max_retries=0, sleep=no_sleep) as extend:
        with pytest.raises(APITimeoutError, match="EXTEND_TIMEOUT"):
            extend.get_run(SEED_ID, timeout=0.1)
        assert extend.get_run(SEED_ID).id == SEED_ID  # the next call is fine
