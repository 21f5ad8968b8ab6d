"""The emulator speaks Extend's real shapes: every sample, both versions, checked against the SDK.

``extend-ai`` (Extend's official SDK, in the ``bench`` extra) carries pydantic models
of every object the API returns. Each sample run is fetched over HTTP in both API
versions and validated against those models with extra fields forbidden: a field
the SDK does not know, a missing required field, a wrong type or an enum value the
SDK has never heard of fails the test, so the emulator cannot drift from the real
API unnoticed.

The SDK's models allow extra fields (``extra="allow"``) so that it survives API
growth; "forbidden" here means every model in the parsed tree must have collected
none (``__pydantic_extra__`` empty), which is what ``extra="forbid"`` checks.

2026-02-09 is the SDK's own version (``WorkflowRun``, ``WorkflowRunSummary``,
every ``StepRun_*``). The SDK has no 2024-12-23 ``WorkflowRun``; there each output
is held to the SDK's legacy processor types (``LegacyJsonOutput``, the
fields-array ``Dict[str, LegacyExtractionFieldResult]``, ``LegacyClassifierOutput``,
``LegacySplitterOutput``, edits, usage, merged processors), its keys to
``LegacyProcessorRun``'s, and the run's keys to the documented 2024-12-23 object.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer

sdk = pytest.importorskip(
    "extend_ai.types",
    reason="extend-ai is not installed: install the bench extra (pip install -e '.[bench]') "
    "to check the emulator's shapes against Extend's SDK types",
)

LEGACY = "2024-12-23"
CURRENT = "2026-02-09"
# The 2024-12-23 WorkflowRun object's documented keys (the SDK has no model of it).
LEGACY_RUN_KEYS = {
    "object", "id", "name", "batchId", "status", "url", "metadata", "initialRunAt",
    "failureReason", "failureMessage", "reviewed", "reviewedBy", "reviewedAt",
    "rejectionNote", "startTime", "endTime", "files", "outputs", "stepRuns", "workflow",
}  # fmt: skip
LEGACY_STEP_RUN_KEYS = {"object", "id", "status", "output", "step"}
STEP_RUN_MODELS = {
    "PARSE": "StepRun_Parse",
    "EXTRACT": "StepRun_Extract",
    "CLASSIFY": "StepRun_Classify",
    "SPLIT": "StepRun_Split",
    "MERGE_EXTRACT": "StepRun_MergeExtract",
    "CONDITIONAL_EXTRACT": "StepRun_ConditionalExtract",
    "RULE_VALIDATION": "StepRun_RuleValidation",
    "EXTERNAL_DATA_VALIDATION": "StepRun_ExternalDataValidation",
    "VALIDATION": "StepRun_Validation",
    "ROUTER": "StepRun_Router",
}


@pytest.fixture(scope="module")
def reader() -> Iterator[httpx.Client]:
    with EmulatorServer(host="127.0.0.1", port=0) as server, httpx.Client(base_url=server.url) as c:
        yield c


def fetch(reader: httpx.Client, path: str, version: str) -> Any:
    response = reader.get(path, headers={"x-extend-api-version": version})
    assert response.status_code == 200, response.text
    return response.json()


def strict(model: Any, data: Any, where: str) -> None:
    """Validate ``data`` against an SDK model or type, with extra fields forbidden."""
    try:
        parsed = pydantic.TypeAdapter(model).validate_python(data)
    except pydantic.ValidationError as error:
        pytest.fail(f"{where} does not match the SDK's {model}:\n{error}")
    problems = _extras(parsed, where)
    assert not problems, f"{where}: not in the SDK's types: {problems}"


def _extras(obj: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(obj, pydantic.BaseModel):
        found += [f"{path}.{key}" for key in obj.__pydantic_extra__ or {}]
        for name in type(obj).model_fields:
            found += _extras(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            found += _extras(item, f"{path}[{index}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            found += _extras(item, f"{path}.{key}")
    elif isinstance(obj, enum.Enum) and obj.name.startswith("_UNKNOWN"):
        found.append(f"{path}: value {obj.value!r} is not one the SDK knows")
    return found


def _aliases(model: Any) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


# --- 2026-02-09: the SDK's own version --------------------------------------------------


@pytest.mark.parametrize("run_id", SAMPLE_RUN_IDS)
def test_current_run_matches_the_sdk(reader: httpx.Client, run_id: str) -> None:
    run = fetch(reader, f"/workflow_runs/{run_id}", CURRENT)
    for index, step_run in enumerate(run["stepRuns"]):
        model = getattr(sdk, STEP_RUN_MODELS[step_run["stepType"]])
        strict(model, step_run, f"{run_id} stepRuns[{index}] ({step_run['stepType']})")
    strict(sdk.WorkflowRun, run, f"{run_id} (2026-02-09 get)")


def test_current_list_items_match_the_sdk(reader: httpx.Client) -> None:
    body = fetch(reader, "/workflow_runs?maxPageSize=100", CURRENT)
    assert sorted(item["id"] for item in body["data"]) == sorted(SAMPLE_RUN_IDS)
    for item in body["data"]:
        strict(sdk.WorkflowRunSummary, item, f"{item['id']} (2026-02-09 list item)")


# --- 2024-12-23: legacy processor types -------------------------------------------------


@pytest.mark.parametrize("run_id", SAMPLE_RUN_IDS)
def test_legacy_run_matches_the_sdk_legacy_types(reader: httpx.Client, run_id: str) -> None:
    body = fetch(reader, f"/workflow_runs/{run_id}", LEGACY)
    assert set(body) == {"success", "workflowRun"}
    run = body["workflowRun"]
    assert set(run) <= LEGACY_RUN_KEYS, set(run) - LEGACY_RUN_KEYS
    for file in run["files"]:
        assert set(file) <= _aliases(sdk.File), f"{run_id} file keys {set(file)}"
    for index, output in enumerate(run["outputs"]):
        where = f"{run_id} outputs[{index}]"
        assert set(output) <= _aliases(sdk.LegacyProcessorRun), where
        model = _legacy_output_model(output)
        for key in ("output", "initialOutput", "reviewedOutput"):
            if output.get(key) is not None:
                strict(model, output[key], f"{where}.{key}")
        for field, edit in (output.get("edits") or {}).items():
            strict(sdk.LegacyExtractionOutputEdits, edit, f"{where}.edits.{field}")
        if "usage" in output:
            strict(sdk.LegacyDocumentProcessorRunCredits, output["usage"], f"{where}.usage")
        for merged in output.get("mergedProcessors") or []:
            strict(sdk.LegacyProcessorRunMergedProcessorsItem, merged, f"{where}.mergedProcessors")
    for step_run in run.get("stepRuns") or []:
        assert set(step_run) <= LEGACY_STEP_RUN_KEYS and step_run["object"] == "workflow_step_run"


def _legacy_output_model(output: dict[str, Any]) -> Any:
    if output["type"] == "CLASSIFY":
        return sdk.LegacyClassifierOutput
    if output["type"] == "SPLITTER":
        return sdk.LegacySplitterOutput
    final = output.get("output") or {}
    if "value" in final and "metadata" in final:
        return sdk.LegacyJsonOutput
    return dict[str, sdk.LegacyExtractionFieldResult]  # type: ignore[name-defined]  # fields-array


# --- the checker itself -------------------------------------------------------------------


def test_the_checker_refuses_extra_fields_and_unknown_values(reader: httpx.Client) -> None:
    run = fetch(reader, "/workflow_runs/workflow_run_fields_array", CURRENT)
    run["stepRuns"][1]["result"]["extractRun"]["output"]["total"]["invented"] = True
    with pytest.raises(AssertionError, match="invented"):
        strict(sdk.WorkflowRun, run, "tampered")
    run = fetch(reader, "/workflow_runs/workflow_run_1234", CURRENT)
    run["status"] = "HALF_DONE"
    with pytest.raises(AssertionError, match="HALF_DONE"):
        strict(sdk.WorkflowRun, run, "tampered")
    run = fetch(reader, "/workflow_runs/workflow_run_1234", CURRENT)
    del run["dashboardUrl"]
    with pytest.raises(pytest.fail.Exception, match="dashboardUrl"):
        strict(sdk.WorkflowRun, run, "tampered")
