"""The OpenAI function-calling face: strict schemas, dispatch errors, and a real SDK loop."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai import OpenAI

from extend_emulator import EmulatorServer
from tests.support.openai_server import Reply, ScriptedOpenAI, ScriptedToolCall, text, tool_call
from tools.client.clients import ExtendClient
from tools.faces.openai_functions import ApproveChange, dispatch, tool_schemas
from tools.faces.run_tools import RunTools
from tools.faces.tool_names import TOOL_NAMES

SEED = "workflow_run_1234"


@pytest.fixture
def run_tools(client: ExtendClient) -> RunTools:
    return RunTools(client)


def strict_violations(schema: Any, where: str = "$") -> list[str]:
    """Where a JSON schema breaks OpenAI's strict-mode rules for objects."""
    found: list[str] = []
    if isinstance(schema, dict):
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "object" in types:
            properties = schema.get("properties")
            if not properties:
                found.append(f"{where}: object without properties (collapses to {{}})")
            if schema.get("additionalProperties") is not False:
                found.append(f"{where}: additionalProperties is not false")
            if sorted(schema.get("required", [])) != sorted(properties or {}):
                found.append(f"{where}: not every property is required")
        for key, value in schema.items():
            found += strict_violations(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            found += strict_violations(item, f"{where}[{index}]")
    return found


def test_schemas_follow_strict_rules() -> None:
    schemas = tool_schemas()
    assert [s["function"]["name"] for s in schemas] == list(TOOL_NAMES)
    for schema in schemas:
        assert schema["type"] == "function"
        assert schema["function"]["strict"] is True
        assert schema["function"]["description"]
        assert strict_violations(schema["function"]["parameters"]) == []
    assert all(s["function"]["strict"] is False for s in tool_schemas(strict=False))


def test_metadata_stays_usable_under_strict_mode() -> None:
    update = tool_schemas()[1]["function"]["parameters"]
    metadata = update["properties"]["metadata"]
    assert metadata["type"] == ["array", "null"]
    item = metadata["items"]
    assert item["properties"]["value"]["type"] == ["string", "number", "boolean", "null"]
    for optional in ("name", "metadata", "add_tags"):
        assert "null" in update["properties"][optional]["type"]


def test_write_description_says_each_write_is_approved_first() -> None:
    update = tool_schemas()[1]["function"]["description"]
    assert "each call is first shown to the user, who approves or rejects it" in update
    at_once = tool_schemas(approval="none")[1]["function"]["description"]
    assert "as soon as it is called; nobody is asked to confirm" in at_once
    assert (
        tool_schemas()[0]["function"]["description"]
        == (tool_schemas(approval="human")[0]["function"]["description"])
    )


def test_schemas_are_fresh_copies() -> None:
    tool_schemas()[0]["function"]["parameters"]["properties"].clear()
    assert tool_schemas()[0]["function"]["parameters"]["properties"]


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("delete_run", "{}", "Error: there is no tool named 'delete_run'. The tools are:"),
        ("get_run", "{not json", "Error: the arguments for get_run are not valid JSON."),
        ("get_run", "[1]", "Error: the arguments for get_run must be a JSON object."),
        (
            "get_run",
            '{"run_id": 7}',
            "Error: Invalid arguments for get_run: run_id must be text (the run id, e.g. "
            "workflow_run_1234). Fix them and call get_run again.",
        ),
        ("get_run", '{"run_id": "x", "page": 1}', "page is not an argument of get_run"),
        ("get_run", '{"fields": null}', "run_id is required"),
        (
            "update_run_metadata",
            '{"run_id": "workflow_run_1234", "metadata": [{"key": "a", "value": {"b": 1}}]}',
            "metadata[0].value must be text, a number or true/false. Fix them",
        ),
        (
            "update_run_metadata",
            '{"run_id": "workflow_run_1234", "metadata": '
            '[{"key": "a\\n- b", "value": 1}, {"key": "a\\n- b", "value": 2}]}',
            'metadata sets "a\\n- b" more than once',
        ),
        (
            "get_run",
            '{"run_id": "workflow_run_missing"}',
            "Error: Failed reading run workflow_run_",
        ),
        ("update_run_metadata", '{"run_id": "workflow_run_1234"}', "Error: Nothing to update"),
    ],
)
def test_dispatch_errors_are_clear_text(
    run_tools: RunTools, emulator: EmulatorServer, name: str, arguments: str, expected: str
) -> None:
    result = dispatch(name, arguments, run_tools)
    assert result.startswith("Error: ")
    assert expected in result
    assert "\n" not in result and "pydantic" not in result
    assert [r for r in emulator.requests if r["method"] == "POST"] == []


def test_dispatch_accepts_items_or_a_plain_object_for_metadata(
    run_tools: RunTools, client: ExtendClient
) -> None:
    items = '{"run_id": "workflow_run_1234", "name": null, "add_tags": null, '
    items += '"metadata": [{"key": "vendor", "value": "ACME"}, {"key": "paid", "value": false}]}'
    yes = lambda change: True  # noqa: E731
    assert dispatch("update_run_metadata", items, run_tools, approve=yes).startswith("Updated run")
    plain = '{"run_id": "workflow_run_1234", "metadata": {"count": 3}}'
    written = dispatch("update_run_metadata", plain, run_tools, approve=yes)
    assert "metadata count: (unset) -> 3" in written
    metadata = client.get_run(SEED).metadata
    assert (metadata["vendor"], metadata["paid"], metadata["count"]) == ("ACME", False, 3)


def _echo_last_tool_result(body: dict[str, Any]) -> Reply:
    """The scripted model's last turn: it answers from what the tools returned."""
    results = [m["content"] for m in body["messages"] if m["role"] == "tool"]
    first_line = results[-1].splitlines()[0]
    return text(f"Done. {first_line}")


def run_loop(
    client: OpenAI,
    run_tools: RunTools,
    question: str,
    *,
    stream: bool,
    approve: ApproveChange | None = None,
) -> str:
    """A plain function-calling loop, as an integrator would write it."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for _ in range(5):
        if stream:
            calls: dict[int, dict[str, Any]] = {}
            content = ""
            events = client.chat.completions.create(
                model="gpt-4.1-mini", messages=messages, tools=tool_schemas(), stream=True
            )
            for chunk in events:
                delta = chunk.choices[0].delta
                content += delta.content or ""
                for part in delta.tool_calls or []:
                    slot = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                    slot["id"] = part.id or slot["id"]
                    slot["name"] += (part.function.name or "") if part.function else ""
                    slot["arguments"] += (part.function.arguments or "") if part.function else ""
            tool_calls = [calls[i] for i in sorted(calls)]
        else:
            reply = client.chat.completions.create(
                model="gpt-4.1-mini", messages=messages, tools=tool_schemas()
            )
            message = reply.choices[0].message
            content = message.content or ""
            tool_calls = [
                {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
                for c in message.tool_calls or []
            ]
        if not tool_calls:
            return content
        messages.append(
            {
                "role": "assistant",
                "content": content or None,
                "tool_calls": [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": c["arguments"]},
                    }
                    for c in tool_calls
                ],
            }
        )
        for c in tool_calls:
            result = dispatch(c["name"], c["arguments"], run_tools, approve=approve)
            messages.append({"role": "tool", "tool_call_id": c["id"], "content": result})
    raise AssertionError("the loop did not finish")


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streaming"])
def test_real_sdk_loop_reads_then_writes(
    run_tools: RunTools, emulator: EmulatorServer, client: ExtendClient, stream: bool
) -> None:
    get_args = {"run_id": SEED, "fields": ["amount"], "include_reasoning": None}
    update_args = {
        "run_id": SEED,
        "name": None,
        "metadata": [{"key": "vendor", "value": "ACME"}],
        "add_tags": ["urgent"],
    }
    with ScriptedOpenAI() as model:
        model.add(tool_call("get_run", get_args))
        model.add_tool_calls(ScriptedToolCall("update_run_metadata", update_args))
        model.add(_echo_last_tool_result)
        sdk = OpenAI(base_url=model.base_url, api_key="test", max_retries=0)
        shown: list[str] = []
        answer = run_loop(
            sdk,
            run_tools,
            "Total of workflow_run_1234? Tag it urgent.",
            stream=stream,
            approve=lambda change: shown.append(change.describe()) is None,
        )

    assert answer == "Done. Updated run workflow_run_1234."
    assert shown == ['On workflow_run_1234: set vendor = "ACME"; add tag "urgent"']
    assert len(model.requests) == 3 and model.unscripted == []
    assert all(r["tools"] == tool_schemas() for r in model.requests)
    assert all(r.get("stream", False) is stream for r in model.requests)
    tool_message = model.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert '- amount: 15,735.10 USD | page 1 "TOTAL  $15,735.1"' in tool_message["content"]
    posts = [r for r in emulator.requests if r["method"] == "POST"]
    assert [p["body"] for p in posts] == [{"metadata": {"vendor": "ACME", "tags": ["urgent"]}}]
    assert client.get_run(SEED).tags == ["urgent"]


@pytest.mark.parametrize("approve", [None, lambda change: False], ids=["no-callback", "rejected"])
def test_dispatch_never_writes_without_the_callers_approval(
    run_tools: RunTools,
    emulator: EmulatorServer,
    client: ExtendClient,
    approve: ApproveChange | None,
) -> None:
    update_args = {"run_id": SEED, "name": "PWNED", "metadata": None, "add_tags": None}
    with ScriptedOpenAI() as model:
        model.add(tool_call("update_run_metadata", update_args))
        model.add(_echo_last_tool_result)
        sdk = OpenAI(base_url=model.base_url, api_key="test", max_retries=0)
        answer = run_loop(sdk, run_tools, "Rename it", stream=False, approve=approve)
    said = "has not enabled writes" if approve is None else "the user rejected the change"
    assert answer.startswith("Done. Not written: ") and said in answer
    tool_message = model.requests[1]["messages"][-1]["content"]
    assert 'Rename workflow_run_1234 from (none) to "PWNED"' in tool_message
    assert [r for r in emulator.requests if r["method"] == "POST"] == []
    assert client.get_run(SEED).name is None


def test_read_only_leaves_the_write_tool_out(
    run_tools: RunTools, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "update_run_metadata" not in [
        t["function"]["name"] for t in tool_schemas(read_only=True)
    ]
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")
    assert "update_run_metadata" not in [t["function"]["name"] for t in tool_schemas()]
    refused = dispatch(
        "update_run_metadata",
        '{"run_id": "workflow_run_1234", "name": "x"}',
        run_tools,
        approve=lambda change: True,
    )
    assert refused.startswith("Error: update_run_metadata is not available: This assistant is in")
    assert emulator.requests == []


def test_scripted_server_reports_errors_and_unscripted_requests() -> None:
    with ScriptedOpenAI([Reply(error_status=429, error_message="slow down")]) as model:
        sdk = OpenAI(base_url=model.base_url, api_key="test", max_retries=0)
        with pytest.raises(Exception, match="slow down"):
            sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(Exception, match="no scripted reply left"):
            sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert len(model.requests) == 2 and len(model.unscripted) == 1
        assert json.loads(json.dumps(model.requests[0]))["messages"][0]["content"] == "hi"
