"""The run a webhook event is about: inline, behind a signed download URL, or read by id.

Extend puts the run in ``payload``. A large event can instead be sent as a
signed download URL, ``payload: {data: <url>}`` (valid an hour); the file holds
the event (or the run). If the download fails, or the inline run does not
parse, the run is read by id through the Extend client when the payload names
one. The download is capped in size and time, and only ``http(s)`` URLs are
followed: the URL came in a signed body, but is still not trusted with more.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from tools.runs.models import Run
from tools.runs.normalize import parse_run

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024
DOWNLOAD_TIMEOUT_SECONDS = 15.0


class PayloadError(ValueError):
    """The event's run could not be had; the message says why."""


def run_from_payload(
    payload: dict[str, Any],
    *,
    api_version: str,
    read_run: Callable[[str], Run] | None = None,
    download: Callable[[str], Any] | None = None,
) -> Run:
    """The normalized run of ``payload``; ``read_run(id)`` is the fallback."""
    run_id = payload.get("id") if isinstance(payload.get("id"), str) else None
    url = payload.get("data")
    if isinstance(url, str) and not _looks_like_run(payload):
        try:
            fetched = (download or download_json)(url)
            return parse_run(_run_part(fetched), api_version)
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("could not download the webhook payload: %s", _short(exc))
            if run_id is None or read_run is None:
                raise PayloadError("the event's payload could not be downloaded") from None
            return read_run(run_id)
    try:
        return parse_run(payload, api_version)
    except ValueError:
        if run_id is None or read_run is None:
            raise PayloadError("the event's payload is not a workflow run") from None
        logger.info("the webhook payload for %s did not parse; reading the run", run_id)
        return read_run(run_id)


def download_json(url: str) -> Any:
    """GET ``url`` and return its JSON; ``ValueError`` / ``httpx.HTTPError`` on any problem."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("the payload URL is not http(s)")
    with (
        httpx.Client(timeout=DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True) as http,
        http.stream("GET", url) as response,
    ):
        response.raise_for_status()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_DOWNLOAD_BYTES:
                raise ValueError(f"the payload is larger than {MAX_DOWNLOAD_BYTES} bytes")
            chunks.append(chunk)
    return json.loads(b"".join(chunks))


def _looks_like_run(payload: dict[str, Any]) -> bool:
    return any(key in payload for key in ("status", "stepRuns", "outputs", "workflowRun"))


def _run_part(document: Any) -> Any:
    """The run inside a downloaded document: the event's ``payload``, or the document itself."""
    if isinstance(document, dict) and isinstance(document.get("payload"), dict):
        return document["payload"]
    return document


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}"
