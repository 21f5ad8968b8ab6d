"""Property: whatever run the emulator serves, our client reads back all of it.

Hypothesis builds runs in the emulator's stored form (extraction outputs in both
shapes, JSON and legacy fields-array, with citations, confidences, reasoning and
reviewer changes; merge and conditional extraction; classification; splits), the
emulator serves each over HTTP in both API versions, and the client's normalized
``Run`` must keep every field, value, citation, confidence and reviewer change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extend_emulator import EmulatorServer
from extend_emulator.ingest import to_canonical
from tools.client.clients import ExtendClient
from tools.runs.models import Citation, ExtractedField, Run

KEY = "property-key"
SLOT = "workflow_run_fields_array"  # an existing sample whose stored run each example replaces
VERSIONS = ("2024-12-23", "2026-02-09")
FILE_IDS = ("file_a", "file_b")

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
texts = st.text(max_size=12)
scores = st.floats(min_value=0, max_value=1, allow_nan=False)
coordinates = st.floats(min_value=0, max_value=2000, allow_nan=False)
leaves = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | coordinates | texts
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def citations(draw: st.DrawFn) -> dict[str, Any]:
    citation: dict[str, Any] = {"page": draw(st.integers(1, 40))}
    if draw(st.booleans()):
        citation["polygon"] = [
            {"x": draw(coordinates), "y": draw(coordinates)} for _ in range(draw(st.integers(0, 4)))
        ]
    for key, strategy in (
        ("referenceText", texts),
        ("cellRange", st.from_regex(r"[A-Z]{1,2}[1-9][0-9]?", fullmatch=True)),
        ("fileId", st.sampled_from(FILE_IDS)),
        ("pageWidth", st.just(612.0)),
        ("pageHeight", st.just(792.0)),
    ):
        if draw(st.booleans()):
            citation[key] = draw(strategy)
    return citation


@st.composite
def evidence(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "citations": draw(st.lists(citations(), max_size=2)),
        "insights": [
            {"type": "reasoning", "content": t} for t in draw(st.lists(texts, max_size=2))
        ],
        "ocrConfidence": draw(st.none() | scores),
        "logprobsConfidence": draw(st.none() | scores),
        "reviewAgentScore": draw(st.none() | st.integers(1, 5)),
    }


@st.composite
def json_outputs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A JSON extraction output and, when a reviewer changed it, the output before review."""
    fields = draw(st.dictionaries(names, values, min_size=1, max_size=4))
    final: dict[str, Any] = {"value": fields, "metadata": {n: draw(evidence()) for n in fields}}
    changed = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=2))
    if not changed:
        return final, None
    initial = copy.deepcopy(final)
    for name in changed:
        initial["value"][name] = ["before", draw(values)]  # always differs from the final value
        initial["metadata"][name] = draw(evidence())
    return final, initial


@st.composite
def fields_array_outputs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any] | None]:
    def entry(name: str, value: Any) -> dict[str, Any]:
        boxes = [
            {
                "top": draw(scores),
                "left": draw(scores),
                "bottom": draw(scores),
                "right": draw(scores),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        return {
            "id": name,
            "type": draw(st.sampled_from(["string", "number", "currency", "date"])),
            "value": value,
            "confidence": draw(st.none() | scores),
            "references": [
                {"id": f"ref_{name}", "fieldName": name, "page": draw(st.integers(1, 9)),
                 "boundingBoxes": boxes}
            ],
        }  # fmt: skip

    fields = draw(st.dictionaries(names, values, min_size=1, max_size=4))
    final = {name: entry(name, value) for name, value in fields.items()}
    changed = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=2))
    if not changed:
        return final, None
    initial = copy.deepcopy(final)
    for name in changed:
        initial[name] = entry(name, ["before", draw(values)])
    return final, initial


@st.composite
def extract_steps(draw: st.DrawFn, index: int) -> dict[str, Any]:
    final, initial = draw(json_outputs() | fields_array_outputs())
    step_type = draw(st.sampled_from(["EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT"]))
    step: dict[str, Any] = {
        "type": step_type,
        "runId": f"exr_{index}",
        "stepName": f"Step {index}",
        "status": "PROCESSED",
        "edited": initial is not None,
        "reviewed": initial is not None,
        "initialOutput": initial if initial is not None else final,
        "reviewedOutput": final if initial is not None else None,
        "output": final,
    }
    if step_type == "MERGE_EXTRACT":
        step["mergedExtractors"] = [
            {"id": f"ex_{n}", "versionId": f"exv_{n}", "name": draw(texts)} for n in range(2)
        ]
    return step


@st.composite
def runs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    steps = [draw(extract_steps(i)) for i in range(count)]
    if draw(st.booleans()):
        kind = draw(names)
        output = {"id": kind, "type": kind, "confidence": draw(scores), "insights": []}
        steps.append({"type": "CLASSIFY", "runId": "clr_1", "status": "PROCESSED",
                      "output": output, "initialOutput": output})  # fmt: skip
    if draw(st.booleans()):
        splits = [
            {"id": f"s{n}", "type": draw(names), "identifier": draw(texts),
             "observation": draw(texts), "startPage": n + 1, "endPage": n + 1,
             "classificationId": draw(names), "fileId": FILE_IDS[0]}
            for n in range(draw(st.integers(1, 3)))
        ]  # fmt: skip
        steps.append({"type": "SPLIT", "runId": "spr_1", "status": "PROCESSED",
                      "output": {"splits": splits}})  # fmt: skip
    reviewer = draw(st.booleans())
    return to_canonical(
        {
            "id": SLOT,
            "name": draw(st.none() | texts),
            "status": draw(st.sampled_from(["PROCESSED", "NEEDS_REVIEW", "REJECTED"])),
            "metadata": draw(st.dictionaries(names, values, max_size=3)),
            "workflow": {"id": "workflow_prop", "name": "Property", "version": "1"},
            "files": [{"id": f, "name": f"{f}.pdf", "type": "PDF"} for f in FILE_IDS],
            "createdAt": "2025-01-02T03:04:05.000Z",
            "reviewed": draw(st.booleans()) if reviewer else None,
            "reviewedBy": "user_1" if reviewer else None,
            "reviewedByUser": "reviewer@example.com" if reviewer else None,
            "reviewedAt": "2025-01-03T00:00:00.000Z" if reviewer else None,
            "steps": steps,
        }
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorServer, dict[str, ExtendClient]]]:
    with EmulatorServer(host="127.0.0.1", port=0, api_key=KEY) as server:
        clients = {v: ExtendClient(KEY, base_url=server.url, api_version=v) for v in VERSIONS}
        try:
            yield server, clients
        finally:
            for client in clients.values():
                client.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored=runs())
def test_every_value_citation_confidence_and_change_survives(
    served: tuple[EmulatorServer, dict[str, ExtendClient]], stored: dict[str, Any]
) -> None:
    server, clients = served
    server.app.store.modify(SLOT, lambda _: copy.deepcopy(stored))
    for version, client in clients.items():
        run = client.get_run(SLOT)
        _check_run(run, stored, version)


def _check_run(run: Run, stored: dict[str, Any], version: str) -> None:
    assert run.id == SLOT and run.status == stored["status"]
    assert run.metadata == stored["metadata"]
    if version == VERSIONS[0]:
        assert run.name == stored["name"]
    if version == VERSIONS[1] or stored["reviewedAt"]:
        assert run.reviewed == stored["reviewed"]  # an explicit false wins over the reviewer
    else:
        assert run.reviewed is None  # 2024-12-23 without a reviewer says nothing either way
    for step in stored["steps"]:
        [result] = [r for r in run.results if r.id == step["runId"]]
        if step["type"] == "CLASSIFY":
            assert result.classification is not None
            assert result.classification.type == step["output"]["type"]
            assert result.classification.confidence == step["output"]["confidence"]
            continue
        if step["type"] == "SPLIT":
            got = [(s.id, s.type, s.identifier, s.start_page, s.end_page, s.classification_id,
                    s.file_id, s.observation) for s in result.splits]  # fmt: skip
            want = [(s["id"], s["type"], s["identifier"], s["startPage"], s["endPage"],
                     s["classificationId"], s["fileId"], s["observation"])
                    for s in step["output"]["splits"]]  # fmt: skip
            assert got == want
            continue
        assert result.kind == "extract" and result.edited == step["edited"]
        if step["type"] == "MERGE_EXTRACT":
            assert [m.name for m in result.merged_extractors] == [
                m["name"] for m in step["mergedExtractors"]
            ]
        initial = step["initialOutput"] if step["edited"] else None
        if "value" in step["output"] and "metadata" in step["output"]:
            _check_json_fields(result.fields, step["output"], initial, version)
        else:
            _check_fields_array(result.fields, step["output"], initial)


def _check_json_fields(
    fields: list[ExtractedField],
    final: dict[str, Any],
    initial: dict[str, Any] | None,
    version: str,
) -> None:
    assert [f.name for f in fields] == list(final["value"])
    for field in fields:
        meta = final["metadata"][field.name]
        assert field.value == final["value"][field.name]
        _check_citations(field.citations, meta["citations"], version)
        assert field.reasoning == [i["content"] for i in meta["insights"]]
        assert field.ocr_confidence == meta["ocrConfidence"]
        assert field.logprobs_confidence == meta["logprobsConfidence"]
        assert field.review_agent_score == meta["reviewAgentScore"]
        before = initial["value"][field.name] if initial else final["value"][field.name]
        assert field.edited == (before != field.value)
        if field.edited:
            assert field.initial_value == before and initial is not None
            _check_citations(
                field.initial_citations, initial["metadata"][field.name]["citations"], version
            )


def _check_citations(got: list[Citation], want: list[dict[str, Any]], version: str) -> None:
    assert len(got) == len(want)
    for citation, stored in zip(got, want, strict=True):
        assert citation.page == stored["page"]
        assert [(p.x, p.y) for p in citation.polygon] == [
            (p["x"], p["y"]) for p in stored.get("polygon") or []
        ]
        assert citation.reference_text == stored.get("referenceText")
        assert citation.cell_range == stored.get("cellRange")
        assert (citation.page_width, citation.page_height) == (
            stored.get("pageWidth"),
            stored.get("pageHeight"),
        )
        # 2024-12-23 citations have no fileId; 2026-02-09 keeps it
        assert citation.file_id == (stored.get("fileId") if version == VERSIONS[1] else None)


def _check_fields_array(
    fields: list[ExtractedField], final: dict[str, Any], initial: dict[str, Any] | None
) -> None:
    assert [f.name for f in fields] == list(final)
    for field in fields:
        entry = final[field.name]
        assert field.value == entry["value"] and field.field_type == entry["type"]
        assert field.field_confidence == entry["confidence"]
        boxes = entry["references"][0]["boundingBoxes"]
        assert len(field.citations) == max(len(boxes), 1)
        assert {c.page for c in field.citations} == {entry["references"][0]["page"]}
        for citation, box in zip(field.citations, boxes, strict=False):
            assert {(p.x, p.y) for p in citation.polygon} == {
                (box["left"], box["top"]), (box["right"], box["top"]),
                (box["right"], box["bottom"]), (box["left"], box["bottom"]),
            }  # fmt: skip
        before = initial[field.name]["value"] if initial else entry["value"]
        assert field.edited == (before != entry["value"])
        if field.edited:
            assert field.initial_value == before
