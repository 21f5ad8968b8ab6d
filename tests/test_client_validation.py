"""Bad input is refused before any request, and metadata round-trips (property-based)."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tools.client.clients import ExtendClient
from tools.client.errors import InvalidMetadataError, InvalidResponseError, InvalidRunIdError
from tools.client.errors import ValidationError as ExtendValidationError

SEED_ID = "workflow_run_1234"


@pytest.mark.parametrize(
    ("run_id", "match"),
    [
        ("", "required"),
        ("   ", "not a valid run id"),
        ("workflow run 1234", "no spaces"),
        ("workflow_run_1234/../../admin", "slashes"),
        ("workflow_run_1234?x=1", "not a valid run id"),
        ("x" * 201, "at most 200"),
        (None, "required"),
        (1234, "required"),
    ],
)
def test_bad_run_ids_send_nothing(
    client: ExtendClient, emulator: EmulatorServer, run_id: Any, match: str
) -> None:
    with pytest.raises(InvalidRunIdError, match=match):
        client.get_run(run_id)
    with pytest.raises(InvalidRunIdError, match=match):
        client.update_run(run_id, name="x")
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ExtendValidationError, "Nothing to update"),
        ({"name": ""}, ExtendValidationError, "cannot be empty"),
        ({"name": "   "}, ExtendValidationError, "cannot be empty"),
        ({"name": "n" * 201}, ExtendValidationError, "limit is 200"),
        ({"name": "bad\x00name"}, ExtendValidationError, "control characters"),
        ({"name": "two\nlines"}, ExtendValidationError, "control characters"),
        ({"name": "bidi\u202eeman"}, ExtendValidationError, "control characters"),
        ({"metadata": {"note": "ok\r\x1b[2Kspoof"}}, InvalidMetadataError, "control characters"),
        ({"metadata": {"k\ney": "v"}}, InvalidMetadataError, "control characters"),
        ({"name": 42}, ExtendValidationError, "must be text"),
        ({"metadata": ["not", "an", "object"]}, InvalidMetadataError, "JSON object"),
        ({"metadata": "vendor=ACME"}, InvalidMetadataError, "JSON object"),
        ({"metadata": {}}, InvalidMetadataError, "empty"),
        ({"metadata": {1: "x"}}, InvalidMetadataError, "keys must be strings"),
        ({"metadata": {"": "x"}}, InvalidMetadataError, "cannot be empty"),
        ({"metadata": {"s": {1, 2}}}, InvalidMetadataError, "metadata.s is a set"),
        ({"metadata": {"b": b"bytes"}}, InvalidMetadataError, "is a bytes"),
        ({"metadata": {"n": math.nan}}, InvalidMetadataError, "JSON cannot carry"),
        ({"metadata": {"n": [math.inf]}}, InvalidMetadataError, r"metadata.n\[0\]"),
        ({"metadata": {"big": "x" * 11_000}}, InvalidMetadataError, "limit is 10,240"),
        ({"metadata": {"extend:usage_tags": "urgent"}}, InvalidMetadataError, "reserved"),
        ({"metadata": {"extend:usage_tags": [1]}}, InvalidMetadataError, "list of strings"),
    ],
)
def test_bad_updates_send_nothing(
    client: ExtendClient,
    emulator: EmulatorServer,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        client.update_run(SEED_ID, **kwargs)
    assert emulator.requests == []
    assert emulator.get_run_state(SEED_ID) is not None


def test_deeply_nested_metadata_is_refused(client: ExtendClient, emulator: EmulatorServer) -> None:
    deep: Any = "leaf"
    for _ in range(25):
        deep = {"d": deep}
    with pytest.raises(InvalidMetadataError, match="deeper than 20"):
        client.update_run(SEED_ID, metadata={"deep": deep})
    assert emulator.requests == []


def test_metadata_cap_is_configurable(emulator: EmulatorServer) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, max_metadata_bytes=50) as extend:
        with pytest.raises(InvalidMetadataError, match="limit is 50"):
            extend.update_run(SEED_ID, metadata={"note": "x" * 60})
        assert extend.update_run(SEED_ID, metadata={"note": "short"}).metadata["note"] == "short"


def test_read_only_mappings_and_tuples_are_sent_as_json(client: ExtendClient) -> None:
    from types import MappingProxyType

    metadata = MappingProxyType({"vendor": MappingProxyType({"ids": (1, 2)}), "note": "a\nb"})
    run = client.update_run(SEED_ID, metadata=metadata)
    assert run.metadata["vendor"] == {"ids": [1, 2]}
    assert run.metadata["note"] == "a\nb"


def test_usage_tags_are_accepted_when_well_formed(client: ExtendClient) -> None:
    run = client.update_run(SEED_ID, metadata={"extend:usage_tags": ["ap", "q3"]})
    assert run.metadata["extend:usage_tags"] == ["ap", "q3"]


# Plain text: no control or format characters (those are refused, tested above), but
# line breaks and tabs, which metadata values may carry.
plain_text = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cf")) | st.sampled_from("\n\t"),
    max_size=20,
)
plain_keys = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cf")), max_size=16)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | plain_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(plain_keys.filter(bool), children, max_size=4)
    ),
    max_leaves=12,
)
metadata_keys = plain_keys.filter(lambda k: k.strip() and k != "extend:usage_tags")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(metadata=st.dictionaries(metadata_keys, json_values, min_size=1, max_size=5))
def test_any_valid_metadata_round_trips(client: ExtendClient, metadata: dict[str, Any]) -> None:
    updated = client.update_run(SEED_ID, metadata=metadata)
    fetched = client.get_run(SEED_ID)
    for key, value in metadata.items():
        assert updated.metadata[key] == value
        assert fetched.metadata[key] == value


def _client_answering(payload: bytes) -> ExtendClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload, headers={"content-type": "application/json"})

    return ExtendClient("k", transport=httpx.MockTransport(handler), max_retries=0)


@settings(max_examples=150, deadline=None)
@given(payload=json_values)
def test_any_json_that_is_not_a_run_raises_invalid_response(payload: Any) -> None:
    with _client_answering(json.dumps(payload).encode()) as extend:
        try:
            run = extend.get_run(SEED_ID)
        except InvalidResponseError as error:
            assert "workflow run" in str(error) or "Asked for run" in str(error)
        else:  # only a body that really is this run may parse
            assert run.id == SEED_ID


run_like = st.fixed_dictionaries(
    {"id": st.just(SEED_ID)},
    optional={
        "status": json_values,
        "metadata": json_values,
        "outputs": json_values,
        "files": json_values,
        "workflow": json_values,
        "stepRuns": json_values,
    },
)


@settings(max_examples=150, deadline=None)
@given(run=run_like, wrap=st.booleans())
def test_run_shaped_garbage_never_crashes(run: dict[str, Any], wrap: bool) -> None:
    body = {"success": True, "workflowRun": run} if wrap else run
    with (
        _client_answering(json.dumps(body).encode()) as extend,
        contextlib.suppress(InvalidResponseError),
    ):
        extend.get_run(SEED_ID)


@pytest.mark.parametrize(
    "payload", [b"", b"{", b"[1, 2", b"null", b"\xff\xfe", b'{"success": true}']
)
def test_broken_bodies_raise_invalid_response(payload: bytes) -> None:
    with _client_answering(payload) as extend, pytest.raises(InvalidResponseError):
        extend.get_run(SEED_ID)
