"""The normalized view of an Extend workflow run that the rest of the product uses.

Extend serves two response shapes (API versions 2024-12-23 and 2026-02-09, see
``tools.runs.versions``). ``tools.runs.normalize`` turns either into the models below, so summaries,
tools, the agent and Slack never care which version a run came from. Every model
tolerates unknown fields and unknown enum values: the API grows, and a new status
must show up as text, not crash a parse.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.runs.step_outcomes import MergedExtractor, RouteOutcome, ValidationOutcome
from tools.runs.versions import LEGACY_API_VERSION

ResultKind = Literal["extract", "classify", "split", "parse", "validation", "router", "other"]
OutputShape = Literal["json", "fields_array", "unknown"]


class RunStatus(StrEnum):
    """Run statuses Extend documents; ``Run.status`` stays a plain string for new ones."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    REJECTED = "REJECTED"
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"


WAITING_STEP_STATUSES = frozenset({"PENDING", "WAITING", "PROCESSING", "INVALIDATED"})
REVIEW_AGENT_FLAG_AT = 3  # Extend's review UI marks scores <= 3 (of 5) for review
IN_PROGRESS_STATUSES = frozenset({RunStatus.PENDING, RunStatus.PROCESSING, RunStatus.CANCELLING})


class _View(BaseModel):
    """Base of the normalized models: frozen-ish data, unknown input ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Point(_View):
    x: float
    y: float


class Citation(_View):
    """Where on the document a value was read: page, box (PDF points, top-left origin), text."""

    page: int | None = None
    polygon: list[Point] = Field(default_factory=list)
    reference_text: str | None = None
    page_width: float | None = None
    page_height: float | None = None
    file_id: str | None = None
    cell_range: str | None = None


class Evidence(_View):
    """Why a value is what it is: citations, the model's reasoning and confidence scores."""

    citations: list[Citation] = Field(default_factory=list)
    reasoning: list[str] = Field(default_factory=list)
    ocr_confidence: float | None = None
    logprobs_confidence: float | None = None
    review_agent_score: float | None = None
    field_confidence: float | None = None

    @property
    def confidence(self) -> float | None:
        """The weaker of the OCR and logprobs scores (0-1), or None when the run reported neither.

        A legacy fields-array output reports one ``confidence`` per field instead
        (``field_confidence``). The review agent's score is on another scale (1-5)
        and is judged apart.
        """
        reported = (self.ocr_confidence, self.logprobs_confidence, self.field_confidence)
        scores = [s for s in reported if s is not None]
        return min(scores) if scores else None

    def is_low_confidence(self, threshold: float) -> bool:
        """Below ``threshold`` (0-1), or a review agent score Extend would flag (<= 3 of 5)."""
        score = self.confidence
        flagged_by_agent = (
            self.review_agent_score is not None and self.review_agent_score <= REVIEW_AGENT_FLAG_AT
        )
        return (score is not None and score < threshold) or flagged_by_agent


class FieldPart(Evidence):
    """Evidence Extend reports for a nested path inside a field, e.g. ``line_items[0].amount``."""

    path: str


class ExtractedField(Evidence):
    """One top-level extracted field: its value (nested structure kept) and its evidence.

    ``initial_value`` and ``initial_citations`` are set only when a reviewer
    changed the value (``edited``); the evidence fields then describe the final
    value only. ``edit_note`` is what the reviewer wrote about the change
    (``edits[field].notes``); ``field_type`` the type a fields-array output names.
    """

    name: str
    value: Any = None
    initial_value: Any = None
    edited: bool = False
    edit_note: str | None = None
    field_type: str | None = None
    parts: list[FieldPart] = Field(default_factory=list)
    initial_citations: list[Citation] = Field(default_factory=list)


class Classification(_View):
    type: str | None = None
    confidence: float | None = None
    reasoning: list[str] = Field(default_factory=list)
    initial_type: str | None = None


class SplitPart(_View):
    id: str | None = None
    type: str | None = None
    name: str | None = None
    identifier: str | None = None
    start_page: int | None = None
    end_page: int | None = None
    observation: str | None = None
    classification_id: str | None = None
    file_id: str | None = None


class ProcessorResult(_View):
    """The outcome of one step of a run.

    Processors (extract, including MERGE_EXTRACT and CONDITIONAL_EXTRACT;
    classify; split) carry their output; validation and routing steps their
    decision (``validation``, ``route``); a failed or still pending parse its
    status. ``pending`` marks a step with no result yet (PENDING, WAITING,
    PROCESSING or INVALIDATED). ``kind`` "other" is a step type this version
    does not know: its JSON stays on ``Run.raw``. ``output_shape`` "unknown" is an
    extraction output in neither known shape (JSON or legacy fields-array).
    """

    kind: ResultKind
    id: str | None = None
    step_type: str | None = None
    step_name: str | None = None
    processor_name: str | None = None
    status: str | None = None
    pending: bool = False
    edited: bool = False
    reviewed: bool | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    usage_credits: float | None = None
    output_shape: OutputShape | None = None
    merged_extractors: list[MergedExtractor] = Field(default_factory=list)
    file_ids: list[str] = Field(default_factory=list)
    fields: list[ExtractedField] = Field(default_factory=list)
    classification: Classification | None = None
    splits: list[SplitPart] = Field(default_factory=list)
    validation: ValidationOutcome | None = None
    route: RouteOutcome | None = None

    def field(self, name: str) -> ExtractedField | None:
        return next((f for f in self.fields if f.name == name), None)


class WorkflowRef(_View):
    id: str | None = None
    name: str | None = None
    version: str | None = None


class FileRef(_View):
    """A file of the run; ``presigned_url`` is kept for callers, never printed (it is a secret)."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    parent_file_id: str | None = Field(default=None, repr=False)
    presigned_url: str | None = Field(default=None, repr=False)


class Run(_View):
    """A workflow run, the same whichever API version served it.

    ``raw`` keeps the exact JSON Extend returned (the run object, unwrapped), for
    callers that need a field this view does not model. 2026-02-09 reads carry no
    ``name`` (``name`` is then None even when the run has one in Extend).
    ``usage_credits`` is the credits the run consumed, when Extend reports them.
    """

    id: str
    name: str | None = None
    status: str = "UNKNOWN"
    workflow: WorkflowRef = Field(default_factory=WorkflowRef)
    metadata: dict[str, Any] = Field(default_factory=dict)
    files: list[FileRef] = Field(default_factory=list)
    dashboard_url: str | None = None
    reviewed: bool | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    initial_run_at: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    rejection_note: str | None = None
    usage_credits: float | None = None
    usage_total_credits: float | None = None
    batch_id: str | None = None
    results: list[ProcessorResult] = Field(default_factory=list)
    api_version: str = LEGACY_API_VERSION
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS_STATUSES

    @property
    def fields(self) -> list[ExtractedField]:
        """Every extracted field of every extract result, in order."""
        return [f for r in self.results if r.kind == "extract" for f in r.fields]

    @property
    def tags(self) -> list[str]:
        """The run's labels: the ``tags`` metadata list, when it is one."""
        tags = self.metadata.get("tags")
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []

    def field(self, name: str) -> ExtractedField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def unknown_steps(self) -> list[ProcessorResult]:
        """Steps of a type this version does not know (kept in ``raw``)."""
        return [r for r in self.results if r.kind == "other"]

    @property
    def pending_steps(self) -> list[ProcessorResult]:
        return [r for r in self.results if r.pending]
