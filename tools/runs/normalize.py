"""Turn Extend's JSON (either API version) into the normalized ``tools.runs.models.Run``.

``parse_run`` accepts what an endpoint returned: the 2024-12-23 envelope
``{"success", "workflowRun"}`` or the bare 2026-02-09 run object. It raises
``ValueError`` (pydantic's ``ValidationError`` is one) when the JSON is not a
run; the client turns that into ``InvalidResponseError``.
"""

from __future__ import annotations

import re
from typing import Any

from tools.runs.models import CURRENT_API_VERSION, LEGACY_API_VERSION, ResultKind, Run
from tools.runs.wire import (
    CurrentProcessorRun,
    CurrentWorkflowRun,
    LegacyEnvelope,
    LegacyWorkflowRun,
    WireClassifyOutput,
    WireSplitOutput,
)

_LEGACY_KINDS: dict[str, ResultKind] = {
    "EXTRACT": "extract",
    "EXTRACTION": "extract",
    "CLASSIFY": "classify",
    "CLASSIFICATION": "classify",
    "SPLITTER": "split",
    "SPLIT": "split",
}
_MISSING = object()
_PATH_ROOT = re.compile(r"^([^.\[]+)")


def parse_run(payload: Any, api_version: str = LEGACY_API_VERSION) -> Run:
    """Normalize a get/update response body; the shape decides, ``api_version`` breaks ties."""
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    if "workflowRun" in payload:
        envelope = LegacyEnvelope.model_validate(payload)
        return _from_legacy(envelope.workflow_run, payload["workflowRun"])
    if "stepRuns" in payload or "workflowVersion" in payload or "dashboardUrl" in payload:
        return _from_current(CurrentWorkflowRun.model_validate(payload), payload)
    if "outputs" in payload or api_version == LEGACY_API_VERSION:
        return _from_legacy(LegacyWorkflowRun.model_validate(payload), payload)
    return _from_current(CurrentWorkflowRun.model_validate(payload), payload)


def _from_legacy(run: LegacyWorkflowRun, raw: dict[str, Any]) -> Run:
    results = []
    for out in run.outputs or []:
        kind = _LEGACY_KINDS.get((out.type or "").upper(), "other")
        results.append(
            _result(
                kind,
                out.id,
                out.type,
                out.processor_name,
                out.status,
                out.edited,
                out.output,
                out.initial_output,
                out.reviewed_output,
            )
        )
    workflow = run.workflow
    return _run(
        id=run.id,
        name=run.name,
        status=run.status or "UNKNOWN",
        workflow={
            "id": workflow.id if workflow else None,
            "name": workflow.name if workflow else None,
            "version": _text(workflow.version) if workflow else None,
        },
        metadata=run.metadata or {},
        files=_files(run.files),
        dashboard_url=run.url,
        reviewed=bool(run.reviewed_by or run.reviewed_at) or None,
        reviewed_by=run.reviewed_by,
        reviewed_at=run.reviewed_at,
        initial_run_at=run.initial_run_at,
        start_time=run.start_time,
        end_time=run.end_time,
        failure_reason=run.failure_reason,
        failure_message=run.failure_message,
        batch_id=run.batch_id,
        results=results,
        api_version=LEGACY_API_VERSION,
        raw=raw,
    )


def _from_current(run: CurrentWorkflowRun, raw: dict[str, Any]) -> Run:
    results = []
    for step in run.step_runs or []:
        result = step.result
        if result is None:
            continue
        step_type = step.step_type or (step.step.type if step.step else None)
        found: list[tuple[ResultKind, CurrentProcessorRun]] = [
            (kind, sub)
            for kind, sub in (
                ("extract", result.extract_run),
                ("classify", result.classify_run),
                ("split", result.split_run),
            )
            if sub is not None
        ]
        for kind, sub in found:
            results.append(
                _result(
                    kind,
                    sub.id or step.id,
                    step_type,
                    sub.processor_name or (step.step.name if step.step else None),
                    sub.status or step.status,
                    sub.edited,
                    sub.output,
                    sub.initial_output,
                    sub.reviewed_output,
                )
            )
    version = run.workflow_version
    return _run(
        id=run.id,
        name=run.name,
        status=run.status or "UNKNOWN",
        workflow={
            "id": run.workflow.id if run.workflow else None,
            "name": run.workflow.name if run.workflow else None,
            "version": _text(version.version) if version else None,
        },
        metadata=run.metadata or {},
        files=_files(run.files),
        dashboard_url=run.dashboard_url,
        reviewed=run.reviewed,
        reviewed_by=run.reviewed_by_user,
        reviewed_at=run.reviewed_at,
        initial_run_at=run.initial_run_at,
        start_time=run.start_time,
        end_time=run.end_time,
        created_at=run.created_at,
        updated_at=run.updated_at,
        failure_reason=run.failure_reason,
        failure_message=run.failure_message,
        batch_id=run.batch_id,
        results=results,
        api_version=CURRENT_API_VERSION,
        raw=raw,
    )


def _run(**data: Any) -> Run:
    """One validation of the whole normalized tree (far cheaper than a model per citation)."""
    return Run.model_validate(data)


def _result(
    kind: ResultKind,
    result_id: str | None,
    step_type: str | None,
    processor_name: str | None,
    status: str | None,
    edited: bool | None,
    output: dict[str, Any] | None,
    initial: dict[str, Any] | None,
    reviewed: dict[str, Any] | None,
) -> dict[str, Any]:
    final = output if output is not None else (reviewed if reviewed is not None else initial)
    result: dict[str, Any] = {
        "kind": kind,
        "id": result_id,
        "step_type": step_type,
        "processor_name": processor_name,
        "status": status,
        "fields": [],
    }
    if kind == "extract":
        result["fields"] = _extract_fields(final, initial)
    elif kind == "classify" and final is not None:
        out = WireClassifyOutput.model_validate(final)
        initial_type = WireClassifyOutput.model_validate(initial).type if initial else None
        result["classification"] = {
            "type": out.type,
            "confidence": out.confidence,
            "reasoning": [i.content for i in out.insights or [] if i.content],
            "initial_type": initial_type if initial_type not in (None, out.type) else None,
        }
    elif kind == "split" and final is not None:
        out = WireSplitOutput.model_validate(final)
        result["splits"] = [
            {
                "type": s.type,
                "name": s.name,
                "identifier": s.identifier,
                "start_page": s.start_page,
                "end_page": s.end_page,
                "observation": s.observation,
            }
            for s in out.splits or []
        ]
    any_field_edited = any(f["edited"] for f in result["fields"])
    result["edited"] = bool(edited) if edited is not None else any_field_edited
    return result


def _extract_fields(final: Any, initial: Any) -> list[dict[str, Any]]:
    """One field per top-level key; nested metadata paths become the field's ``parts``.

    A field the reviewer changed keeps only the final output's evidence; what the
    pre-review output cited goes to ``initial_citations``, so an old citation is
    never shown as evidence for the new value. An unchanged field may borrow the
    pre-review evidence when the final output carries none (same value, same source).

    Extraction outputs are the bulk of a run, so they are read straight from the
    JSON into plain dicts and type-checked once, by the ``Run`` validation.
    """
    if final is None:
        return []
    out = _mapping(final, "output")
    values = _mapping(out.get("value"), "output.value")
    metadata = _mapping(out.get("metadata"), "output.metadata")
    initial_values: dict[str, Any] | None = None
    initial_metadata: dict[str, Any] = {}
    if initial is not None and initial is not final and initial != final:
        init = _mapping(initial, "initialOutput")
        initial_values = _mapping(init.get("value"), "initialOutput.value")
        initial_metadata = _mapping(init.get("metadata"), "initialOutput.metadata")

    final_by_field, initial_by_field = _by_field(metadata), _by_field(initial_metadata)
    names = list(values)
    if initial_values is not None:
        names += [n for n in initial_values if n not in values]
    names += [n for n in final_by_field if n not in names]

    fields = []
    for name in names:
        value = values.get(name)
        before = initial_values.get(name, _MISSING) if initial_values is not None else _MISSING
        edited = before is not _MISSING and before != value
        evidence = final_by_field.get(name, {})
        if not edited:
            evidence = {**initial_by_field.get(name, {}), **evidence}
        own = evidence.get(name)
        initial_own = initial_metadata.get(name) if edited else None
        fields.append(
            {
                "name": name,
                "value": value,
                "initial_value": before if edited else None,
                "edited": edited,
                "parts": [
                    {"path": path, **_evidence(meta, path)}
                    for path, meta in evidence.items()
                    if path != name
                ],
                "initial_citations": (
                    _evidence(initial_own, name)["citations"] if initial_own is not None else []
                ),
                **(_evidence(own, name) if own is not None else {}),
            }
        )
    return fields


def _by_field(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Metadata entries grouped by top-level field: its own key and its nested paths."""
    grouped: dict[str, dict[str, Any]] = {}
    for path, meta in metadata.items():
        if meta is not None:
            grouped.setdefault(field_root(path), {})[path] = meta
    return grouped


def _evidence(meta: Any, where: str) -> dict[str, Any]:
    meta = _mapping(meta, f"metadata[{where!r}]")
    return {
        "citations": [_citation(c) for c in _sequence(meta.get("citations"), "citations")],
        "reasoning": _insights(_sequence(meta.get("insights"), "insights")),
        "ocr_confidence": meta.get("ocrConfidence"),
        "logprobs_confidence": meta.get("logprobsConfidence"),
        "review_agent_score": meta.get("reviewAgentScore"),
    }


def _citation(citation: Any) -> dict[str, Any]:
    """2024-12-23 has ``page: int`` (+ pageWidth/Height); 2026-02-09 ``page: {number, ...}``."""
    c = _mapping(citation, "citation")
    page = c.get("page")
    width, height = c.get("pageWidth"), c.get("pageHeight")
    if isinstance(page, dict):
        page, width, height = page.get("number"), page.get("width"), page.get("height")
    return {
        "page": page,
        "polygon": c.get("polygon") or [],
        "reference_text": c.get("referenceText"),
        "page_width": width,
        "page_height": height,
        "file_id": c.get("fileId"),
    }


def _insights(insights: list[Any]) -> list[str]:
    return [
        i["content"] for i in insights if isinstance(i, dict) and isinstance(i.get("content"), str)
    ]


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} should be an object, got {type(value).__name__}")
    return value


def _sequence(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} should be a list, got {type(value).__name__}")
    return value


def _files(files: list[Any] | None) -> list[dict[str, Any]]:
    return [{"id": f.id, "name": f.name, "type": f.type} for f in files or []]


def field_root(path: str) -> str:
    """The top-level field of a metadata path: ``line_items[0].amount`` -> ``line_items``."""
    match = _PATH_ROOT.match(path)
    return match.group(1) if match else path


def _text(value: str | int | None) -> str | None:
    return None if value is None else str(value)
