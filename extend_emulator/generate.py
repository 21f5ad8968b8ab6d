"""``--generate N``: N realistic, seeded runs beside the samples, so listing and search are real.

Each generated run is an invoice from one of a set of vendors (none shares a word
with a sample's vendor, so a sample stays findable by vendor), with an invoice
number, dates between March and August 2024 (older than the samples, which stay
the most recent), a status drawn with realistic weights (most processed, some
needing review, a few failed or still running), sometimes a run name, sometimes
``tags`` metadata, and an extraction step whose fields (vendor, invoice number,
dates, total) carry citations and confidences like the samples'. The same seed
gives the same runs; ids look like Extend's (``workflow_run_`` + 21 characters).
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from extend_emulator.ingest import to_canonical

__all__ = ["DEFAULT_SEED", "MAX_GENERATED", "generate_runs"]

DEFAULT_SEED = 7
MAX_GENERATED = 20_000

# (vendor name, invoice prefix, currency)
VENDORS: tuple[tuple[str, str, str], ...] = (
    ("Pinnacle Paper Co.", "PPC", "USD"),
    ("Redwood Freight Inc.", "RWF", "USD"),
    ("Orion Electrical Wholesale", "OEW", "USD"),
    ("Summit Janitorial Services", "SJS", "USD"),
    ("Lakeside Printing Ltd", "LKP", "GBP"),
    ("Keystone Fasteners", "KSF", "USD"),
    ("Cobalt Cloud Services", "CCS", "USD"),
    ("Maple Leaf Catering", "MLC", "CAD"),
    ("Ironclad Security GmbH", "ICS", "EUR"),
    ("Evergreen Landscaping", "EVL", "USD"),
    ("Quantum Courier", "QCR", "USD"),
    ("Sierra Office Furniture", "SOF", "USD"),
    ("Tidewater Fuel Partners", "TFP", "USD"),
    ("Falcon Telecom", "FTC", "USD"),
    ("Granite Legal LLP", "GLP", "USD"),
    ("Nordic Steelworks AB", "NSW", "EUR"),
)
STATUSES = (
    ("PROCESSED", 60),
    ("NEEDS_REVIEW", 15),
    ("FAILED", 8),
    ("PROCESSING", 7),
    ("REJECTED", 4),
    ("PENDING", 3),
    ("CANCELLED", 3),
)
TAGS = ("urgent", "q3-close", "disputed", "paid", "duplicate-check", "capex")
SOURCES = ("ap-inbox", "fax-gateway", "email-ingest", "scanner-3f")
WORKFLOW = {
    "id": "workflow_ap_invoices",
    "name": "AP Invoice Extraction",
    "version": "3",
    "versionId": "workflow_version_ap_invoices_3",
}
FIRST_DAY = datetime(2024, 3, 1, tzinfo=UTC)
SPAN_DAYS = 183
PAGE = (612, 792)
_ID_CHARS = string.ascii_letters + string.digits


def generate_runs(count: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``count`` canonical runs, the same for the same ``seed``."""
    if not 0 <= count <= MAX_GENERATED:
        raise ValueError(f"--generate takes 0 to {MAX_GENERATED} runs; got {count}")
    rng = random.Random(seed)
    used: set[str] = set()
    runs = []
    for index in range(count):
        run_id = _new_id(rng, used)
        runs.append(to_canonical(_run(rng, run_id, index)))
    return runs


def _new_id(rng: random.Random, used: set[str]) -> str:
    while True:
        run_id = "workflow_run_" + "".join(rng.choice(_ID_CHARS) for _ in range(21))
        if run_id not in used:
            used.add(run_id)
            return run_id


def _run(rng: random.Random, run_id: str, index: int) -> dict[str, Any]:
    vendor, prefix, currency = rng.choice(VENDORS)
    invoice = f"{prefix}-{rng.randint(10000, 99999)}"
    status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
    created = FIRST_DAY + timedelta(seconds=rng.randint(0, SPAN_DAYS * 86400))
    finished = created + timedelta(seconds=rng.randint(20, 400))
    updated = finished + timedelta(hours=rng.choice((0, 0, 0, 2, 30, 200)))
    short = vendor.split()[0]
    file_id = f"file_{run_id.removeprefix('workflow_run_')}"
    if rng.random() < 0.75:
        file_name = f"{short}_{invoice}.pdf"
    else:
        file_name = f"scan_{created:%Y%m%d_%H%M}_{index:04d}.pdf"
    metadata: dict[str, Any] = {"source": rng.choice(SOURCES)}
    if rng.random() < 0.35:
        metadata["tags"] = sorted(rng.sample(TAGS, rng.choice((1, 1, 2))))
    done = status not in ("PROCESSING", "PENDING")
    reviewed = status == "PROCESSED" and rng.random() < 0.3
    run: dict[str, Any] = {
        "id": run_id,
        "name": f"{short} {invoice}" if rng.random() < 0.7 else None,
        "status": status,
        "metadata": metadata,
        "batchId": f"batch_ap_{created:%Y%m%d}",
        "workflow": dict(WORKFLOW),
        "files": [{"id": file_id, "name": file_name, "type": "PDF"}],
        "initialRunAt": _iso(created),
        "startTime": _iso(created + timedelta(seconds=1)),
        "endTime": _iso(finished) if done else None,
        "createdAt": _iso(created),
        "updatedAt": _iso(updated if done else created + timedelta(seconds=1)),
        "reviewed": reviewed,
        "reviewedBy": "user_ap_reviewer" if reviewed else None,
        "reviewedByUser": "ap.reviewer@example.com" if reviewed else None,
        "reviewedAt": _iso(updated) if reviewed else None,
        "failureReason": "FAILED_TO_PROCESS_FILE" if status == "FAILED" else None,
        "failureMessage": (
            "The file could not be read: the scan is blank or damaged. Re-scan it and run it again."
            if status == "FAILED"
            else None
        ),
        "steps": _steps(rng, run_id, status, vendor, invoice, currency, created, file_id),
    }
    return run


def _steps(
    rng: random.Random,
    run_id: str,
    status: str,
    vendor: str,
    invoice: str,
    currency: str,
    created: datetime,
    file_id: str,
) -> list[dict[str, Any]]:
    key = run_id.removeprefix("workflow_run_")
    parse_status = {"FAILED": "FAILED", "PENDING": "PENDING"}.get(status, "PROCESSED")
    steps: list[dict[str, Any]] = [
        {
            "type": "PARSE",
            "runId": f"parser_run_{key}",
            "stepRunId": f"step_run_parser_run_{key}",
            "stepId": "step_parse_ap",
            "stepName": "Parse document",
            "status": parse_status,
            "edited": False,
        }
    ]
    if status in ("FAILED", "PENDING", "CANCELLED"):
        return steps
    running = status == "PROCESSING"
    output = None if running else _extraction(rng, vendor, invoice, currency, created, file_id)
    steps.append(
        {
            "type": "EXTRACT",
            "runId": f"dpr_{key}_extract",
            "stepRunId": f"step_run_dpr_{key}_extract",
            "stepId": "step_extract_ap",
            "stepName": "Extract invoice fields",
            "status": "PROCESSING" if running else "PROCESSED",
            "edited": False,
            "processorId": "dp_invoice_extractor",
            "processorName": "Invoice Extractor",
            "initialOutput": output,
            "reviewedOutput": None,
            "output": output,
        }
    )
    return steps


def _extraction(
    rng: random.Random,
    vendor: str,
    invoice: str,
    currency: str,
    created: datetime,
    file_id: str,
) -> dict[str, Any]:
    issued = created - timedelta(days=rng.randint(1, 12))
    due = issued + timedelta(days=rng.choice((15, 30, 30, 45, 60)))
    amount = round(rng.uniform(40, 25000), 2)
    values: dict[str, Any] = {
        "vendor_name": vendor,
        "invoice_number": invoice,
        "invoice_date": f"{issued:%Y-%m-%d}",
        "due_date": f"{due:%Y-%m-%d}",
        "total": {"amount": amount, "iso_4217_currency_code": currency},
    }
    texts = {
        "vendor_name": vendor.upper(),
        "invoice_number": f"Invoice # {invoice}",
        "invoice_date": f"Date: {issued:%d %b %Y}",
        "due_date": f"Due: {due:%d %b %Y}",
        "total": f"TOTAL {currency} {amount:,.2f}",
    }
    metadata: dict[str, Any] = {}
    for row, (name, text) in enumerate(texts.items()):
        low = rng.random() < 0.12
        top = 40.0 + row * 48
        metadata[name] = {
            "citations": [
                {
                    "page": 1,
                    "polygon": [
                        {"x": 40.0, "y": top},
                        {"x": 300.0, "y": top},
                        {"x": 300.0, "y": top + 16},
                        {"x": 40.0, "y": top + 16},
                    ],
                    "referenceText": text,
                    "pageWidth": PAGE[0],
                    "pageHeight": PAGE[1],
                    "fileId": file_id,
                }
            ],
            "insights": [],
            "ocrConfidence": round(rng.uniform(0.55, 0.75) if low else rng.uniform(0.9, 1), 2),
            "logprobsConfidence": round(rng.uniform(0.6, 0.8) if low else rng.uniform(0.9, 1), 2),
        }
    return {"value": values, "metadata": metadata}


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
