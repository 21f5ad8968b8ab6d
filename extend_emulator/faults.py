"""Injected failures, so clients can be tested (and benchmarked) against a bad day.

A ``Fault`` matches requests by method and path substring and fires for the
next ``count`` matches, or on each match with probability ``rate`` (drawn from
its own ``random.Random(seed)``, so a benchmark run is reproducible), or on
every match when neither is given. Kinds:

- ``latency``: sleep ``latency_ms``, then answer normally;
- ``rate_limit``: 429 ``RATE_LIMIT_EXCEEDED`` with ``Retry-After`` (``retry_after``,
  default 1; a number is sent as seconds, a string verbatim, e.g. an HTTP date);
- ``error``: ``status`` (default 500; 502, 503, ... any 4xx/5xx) in Extend's error
  shape; ``Retry-After`` too when ``retry_after`` is given;
- ``drop``: close the connection without sending anything;
- ``malformed``: with ``status`` None, 200 with truncated (invalid) JSON; with a
  ``status``, that status with valid JSON that is not a run
  (``{"success": true, "workflowRun": {"id": 5, "outputs": "nope"}}``).

Any kind may also carry ``latency_ms``: the delay comes first, then the fault.
"""

from __future__ import annotations

import json
import os
import random
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = ("latency", "rate_limit", "error", "drop", "malformed")
ENV_VAR = "EXTEND_EMULATOR_FAULTS"


@dataclass
class Fault:
    """One configured fault; ``fired`` counts how often it has applied."""

    kind: str
    count: int | None = None
    rate: float | None = None
    status: int | None = None
    retry_after: float | str | None = None
    latency_ms: float | None = None
    method: str | None = None
    path_contains: str | None = None
    seed: int = 0
    fired: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _validate(self)
        self._random = random.Random(self.seed)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path_contains and self.path_contains not in path)

    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def retry_after_header(self) -> str | None:
        value = self.retry_after
        if value is None:
            return "1" if self.kind == "rate_limit" else None
        if isinstance(value, str):
            return value
        return str(int(value)) if float(value).is_integer() else str(value)

    def to_dict(self) -> dict[str, Any]:
        names = ("kind", "count", "rate", "status", "retry_after", "latency_ms", "method")
        out = {name: getattr(self, name) for name in names}
        out.update(path_contains=self.path_contains, seed=self.seed, fired=self.fired)
        return out


def _validate(fault: Fault) -> None:
    if fault.kind not in KINDS:
        raise ValueError(f"unknown fault kind {fault.kind!r}; use one of {', '.join(KINDS)}")
    if fault.count is not None and (not isinstance(fault.count, int) or fault.count < 1):
        raise ValueError("count must be a positive integer")
    if fault.rate is not None and not 0.0 <= float(fault.rate) <= 1.0:
        raise ValueError("rate must be between 0 and 1")
    if fault.kind == "latency" and not fault.latency_ms:
        raise ValueError("a latency fault needs latency_ms > 0")
    if fault.latency_ms is not None and fault.latency_ms < 0:
        raise ValueError("latency_ms must not be negative")
    if fault.status is not None:
        if fault.kind not in ("error", "malformed"):
            raise ValueError("status only applies to 'error' and 'malformed' faults")
        low = 400 if fault.kind == "error" else 100
        if not isinstance(fault.status, int) or not low <= fault.status <= 599:
            raise ValueError(f"status must be an integer from {low} to 599")


@dataclass
class FaultDecision:
    """What to do with one request: wait ``delay_s``, then apply ``fault`` (None: answer)."""

    delay_s: float = 0.0
    fault: Fault | None = None


class FaultSet:
    """The active faults of one server; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        *,
        count: int | None = None,
        rate: float | None = None,
        status: int | None = None,
        retry_after: float | str | None = None,
        latency_ms: float | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        seed: int = 0,
    ) -> Fault:
        """Add a fault (ValueError if its settings make no sense) and return it."""
        fault = Fault(
            kind=kind,
            count=count,
            rate=rate,
            status=status,
            retry_after=retry_after,
            latency_ms=latency_ms,
            method=method,
            path_contains=path_contains,
            seed=seed,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def add_from_dict(self, spec: Any) -> Fault:
        """Add a fault from JSON such as ``{"kind": "rate_limit", "count": 2}``."""
        if not isinstance(spec, dict) or "kind" not in spec:
            raise ValueError("a fault must be a JSON object with a 'kind'")
        allowed = {"kind", "count", "rate", "status", "retry_after", "latency_ms"}
        allowed |= {"method", "path_contains", "seed"}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        kwargs = {k: v for k, v in spec.items() if k != "kind"}
        return self.add(str(spec["kind"]), **kwargs)

    def load_env(self, environ: dict[str, str] | None = None) -> list[Fault]:
        """Add the faults listed (JSON list or object) in ``EXTEND_EMULATOR_FAULTS``."""
        raw = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
        if not raw:
            return []
        try:
            specs = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"{ENV_VAR} is not valid JSON: {exc}") from exc
        return [self.add_from_dict(s) for s in (specs if isinstance(specs, list) else [specs])]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def decide(self, method: str, path: str) -> FaultDecision:
        """Which fault (if any) applies to this request; counts it as fired."""
        decision = FaultDecision()
        with self._lock:
            for fault in self._faults:
                if fault.exhausted() or not fault.matches(method, path):
                    continue
                if decision.fault is not None and fault.kind != "latency":
                    continue
                if fault.rate is not None and fault._random.random() >= fault.rate:
                    continue
                fault.fired += 1
                decision.delay_s += (fault.latency_ms or 0) / 1000.0
                if fault.kind != "latency":
                    decision.fault = fault
        return decision
