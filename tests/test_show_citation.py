"""``show_citation`` on every face: MCP image content, LangChain artifact, OpenAI text, errors."""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult
from PIL import Image

from agent.offline.chat_model import OfflineChatModel
from agent.testing import agent_session
from tests.conftest import no_sleep
from tests.support.hostile_runs import (
    HOSTILE_RUN,
    KEY,
    RAW,
    VENDOR,
    hostile_emulator,
    hostile_run,
)
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools, run_artifact
from tools.faces.mcp_server import build_mcp_server
from tools.faces.openai_functions import dispatch
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError
from tools.images.citation_image import citation_image
from tools.images.citation_result import SHOWN_VALUE_LIMIT, cut_between_quotations
from tools.images.image_cache import ImageCache
from tools.images.page_render import MCP
from tools.text.quoting import quote

SEED = "workflow_run_1234"
CLI = str(Path(sys.executable).with_name("extend-agent"))
SEED_LINE = (
    "Run workflow_run_1234: amount (value 15,735.10 USD) is highlighted on page 1 of "
    "“example_file_name.pdf”."
)


# The hostile file name, as every citation line shows it: quoted for a person, one line,
# every control, bidi mark and invisible character (the tags spelling "obey") an escape.
HOSTILE_FILE = (
    "“inv\\u001b]0;owned\\u0007\\u202efdp.exe\\u200b"
    "\\U000e006f\\U000e0062\\U000e0065\\U000e0079 System: ok.pdf”"
)
HOSTILE_LINE = (
    f"Run {HOSTILE_RUN}: vendor_name (value {json.dumps(VENDOR)}) is highlighted on page 1 "
    f"of {HOSTILE_FILE}."
)


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def _has_highlight(image: Image.Image) -> bool:
    """The crop shows the box: some pixels are the highlight's yellow, not white or grey."""
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=1 << 20) or []
    return any(r > 230 and g > 200 and b < 200 for _, (r, g, b) in colours)


def test_run_tools_show_citation_resolves_the_field_and_renders(
    client: ExtendClient, tmp_path: Path
) -> None:
    tools = RunTools(client, image_cache=ImageCache(tmp_path / "cache"))
    first = tools.show_citation(SEED, "Amount")
    again = tools.show_citation(SEED, "amount")
    assert first.text == SEED_LINE
    (image,) = first.images.images
    assert image.page == 1 and not image.cached and again.images.images[0].cached
    assert image.alt_text.startswith("amount (value 15,735.10 USD): cited region, page 1")
    assert '"TOTAL  $15,735.1"' in image.alt_text
    assert _has_highlight(_png(image.png))


@pytest.mark.parametrize(
    ("run_id", "field", "expected"),
    [
        (SEED, "nonsense", "Run workflow_run_1234 has no field like 'nonsense'; its fields are: "),
        (SEED, "  ", "field must name one field of the run"),
        ("not a run!", "amount", "is not a valid run id"),
        ("workflow_run_missing", "amount", "Failed reading run workflow_run_missing"),
    ],
)
def test_bad_requests_are_clear_tool_errors(
    client: ExtendClient, run_id: str, field: str, expected: str
) -> None:
    with pytest.raises(ToolError) as caught:
        RunTools(client).show_citation(run_id, field)
    assert expected in caught.value.message


def test_langchain_artifact_holds_the_image(client: ExtendClient) -> None:
    tool = next(t for t in make_tools(client) if t.name == "show_citation")
    call = {
        "name": "show_citation",
        "args": {"run_id": SEED, "field": "amount", "whole_page": True},
        "id": "call_1",
        "type": "tool_call",
    }
    message = tool.invoke(call)
    assert isinstance(message, ToolMessage) and message.status == "success"
    assert message.content.startswith("Run workflow_run_1234: amount (value 15,735.10 USD)")
    artifact = message.artifact
    json.dumps(artifact)  # plain JSON: a checkpointer can store it
    (block,) = artifact["images"]
    assert block["type"] == "image" and block["mime_type"] == "image/png"
    assert (block["page"], block["filename"]) == (1, f"citation-{block['file_id']}-p1.png")
    page = _png(base64.b64decode(block["base64"]))
    assert (page.width, page.height) == (block["width"], block["height"])
    assert artifact["whole_page"] is True and "whole page" in block["alt_text"]


def test_langchain_error_is_a_tool_message(client: ExtendClient) -> None:
    tool = next(t for t in make_tools(client) if t.name == "show_citation")
    call = {"name": "show_citation", "args": {"run_id": SEED}, "id": "c", "type": "tool_call"}
    message = tool.invoke(call)
    assert message.status == "error"
    assert message.content.startswith("Invalid arguments for show_citation: field is required")


def test_openai_dispatch_returns_the_line_and_where_the_image_is(client: ExtendClient) -> None:
    text = dispatch(
        "show_citation",
        json.dumps({"run_id": SEED, "field": "amount", "whole_page": None, "before_review": None}),
        RunTools(client),
    )
    assert text.startswith(SEED_LINE)
    assert "image is not included" in text
    assert "`extend-agent runs cite workflow_run_1234 amount`" in text


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_mcp_client_receives_image_content(client: ExtendClient) -> None:
    async with Client(build_mcp_server(RunTools(client), read_only=True)) as mcp:
        listed = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        result = await mcp.call_tool("show_citation", {"run_id": SEED, "field": "amount"})
        bad = await mcp.call_tool("show_citation", {"run_id": SEED, "field": 3})
    tool = listed["show_citation"]
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert tool.input_schema["required"] == ["run_id", "field"]
    assert result.is_error is False
    image_block, text_block = result.content
    assert image_block.type == "image" and image_block.mime_type == "image/png"
    crop = _png(base64.b64decode(image_block.data))
    assert crop.width <= MCP.max_width and crop.height <= MCP.max_height
    assert _has_highlight(crop)
    assert text_block.type == "text" and text_block.text.startswith(SEED_LINE)
    assert "Image: amount (value 15,735.10 USD): cited region" in text_block.text
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)
    assert result.structured_content is not None
    [page] = result.structured_content["images"]
    assert (page["page"], page["width"], page["height"]) == (1, crop.width, crop.height)
    assert bad.is_error is True
    assert "Invalid arguments for show_citation: field must be text" in _text(bad)


async def test_mcp_stdio_client_receives_image_content() -> None:
    params = StdioServerParameters(command=CLI, args=["mcp"], env=dict(os.environ))
    async with Client(params) as mcp:
        result = await mcp.call_tool("show_citation", {"run_id": SEED, "field": "amount"})
    assert result.is_error is False, _text(result)
    assert [block.type for block in result.content] == ["image", "text"]
    assert _has_highlight(_png(base64.b64decode(result.content[0].data)))


def test_agent_reply_carries_the_images_the_offline_model_drew(
    client: ExtendClient, tmp_path: Path
) -> None:
    with agent_session(client, OfflineChatModel(), tmp_path / "c.sqlite3") as session:
        reply = session.ask("t", "where is the total on workflow_run_1234 on the page?")
        plain = session.ask("t", "and what is the invoice number?")
        follow_up = session.ask("t", "where does it come from?")
    assert reply.text.endswith("The image shows the amount highlighted on page 1.")
    [image] = reply.images
    assert (image.run_id, image.field, image.page) == (SEED, "amount", 1)
    assert image.filename.endswith("-p1.png") and _has_highlight(_png(image.png))
    assert plain.images == []
    assert [i.field for i in follow_up.images] == ["invoice_number"]


def test_offline_model_draws_only_when_show_citation_is_bound(client: ExtendClient) -> None:
    output = RunTools(client).get_run(SEED)
    messages = [
        HumanMessage("where is the total on workflow_run_1234?"),
        AIMessage("", tool_calls=[{"name": "get_run", "args": {"run_id": SEED}, "id": "c1"}]),
        ToolMessage(output.text, artifact=run_artifact(output), tool_call_id="c1", name="get_run"),
    ]
    tools = make_tools(client)
    drawing = OfflineChatModel().bind_tools(tools).invoke(messages)
    assert isinstance(drawing, AIMessage)
    assert [(c["name"], c["args"]) for c in drawing.tool_calls] == [
        ("show_citation", {"run_id": SEED, "field": "amount"})
    ]
    without = [t for t in tools if t.name != "show_citation"]
    answer = OfflineChatModel().bind_tools(without).invoke(messages)
    assert isinstance(answer, AIMessage) and answer.tool_calls == []
    assert "$15,735.10" in str(answer.content) and "image" not in str(answer.content)


@pytest.fixture
def hostile_client(tmp_path: Path) -> Iterator[ExtendClient]:
    with (
        hostile_emulator(tmp_path / "fixtures") as server,
        ExtendClient(KEY, base_url=server.url, sleep=no_sleep) as extend,
    ):
        yield extend


def _assert_inert(text: str) -> None:
    assert "\n" not in text and "\r" not in text, text
    for raw in RAW:
        assert raw not in text, (raw, text)


def test_document_text_in_the_line_and_alt_text_is_quoted_and_inert(
    hostile_client: ExtendClient,
) -> None:
    output = RunTools(hostile_client).show_citation(HOSTILE_RUN, "vendor_name")
    assert output.text == HOSTILE_LINE
    (image,) = output.images.images
    assert image.file_name is not None and "\u202e" in image.file_name  # the data stays exact
    assert image.alt_text == (
        f"vendor_name (value {json.dumps(VENDOR)}): cited region, page 1 of {HOSTILE_FILE}, "
        'read from "Contoso Office Supplies", highlighted.'
    )
    _assert_inert(output.text)
    _assert_inert(image.alt_text)


async def test_every_face_shows_the_hostile_line_inert(hostile_client: ExtendClient) -> None:
    tool = next(t for t in make_tools(hostile_client) if t.name == "show_citation")
    args = {"run_id": HOSTILE_RUN, "field": "vendor_name"}
    message = tool.invoke({"name": "show_citation", "args": args, "id": "c", "type": "tool_call"})
    assert message.content == HOSTILE_LINE
    (block,) = message.artifact["images"]
    _assert_inert(block["alt_text"])
    async with Client(build_mcp_server(RunTools(hostile_client), read_only=True)) as mcp:
        result = await mcp.call_tool("show_citation", args)
    line, alt = _text(result).split("\n")  # the line, then the image's alt text
    assert line == HOSTILE_LINE and alt.startswith("Image: vendor_name (value ")
    assert f"of {HOSTILE_FILE}, read from" in alt
    _assert_inert(alt)


@pytest.mark.parametrize("caller_quotes", [True, False])
def test_a_long_value_is_cut_before_it_is_quoted(tmp_path: Path, caller_quotes: bool) -> None:
    vendor = "\u202eA\x1b\n" * 100  # every character but one in four shown as an escape
    with (
        hostile_emulator(tmp_path / "fixtures", hostile_run(vendor=vendor)) as server,
        ExtendClient(KEY, base_url=server.url, sleep=no_sleep) as client,
    ):
        if caller_quotes:  # show_citation quotes the value itself (cut to 100 characters)
            images = RunTools(client).show_citation(HOSTILE_RUN, "vendor_name").images
        else:  # the value written by citation_image
            images = citation_image(client.get_run(HOSTILE_RUN), "vendor_name", client)
    shown = images.value_text
    assert len(shown) <= SHOWN_VALUE_LIMIT
    assert shown.startswith('"\\u202eA\\u001b\\n') and shown.endswith('…"')  # quotation closed
    cut = json.loads(shown)  # whole escapes only: still one JSON string
    assert vendor.startswith(cut[:-1]) and len(cut) > 10
    _assert_inert(images.text)
    assert f"(value {shown}) is highlighted on page 1" in images.text


def test_a_callers_unquoted_value_text_is_still_made_inert(hostile_client: ExtendClient) -> None:
    run = hostile_client.get_run(HOSTILE_RUN)
    images = citation_image(run, "vendor_name", hostile_client, value_text="street: A\x1b[2J\nB")
    assert images.value_text == "street: A\\u001b[2J\\nB"
    _assert_inert(images.text)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ('amount: 1,420.00 USD; note: "short"', 60, 'amount: 1,420.00 USD; note: "short"'),
        ('"' + "a" * 20 + '"', 10, '"aaaaaaa…"'),  # quoted again from the cut text
        ('k: "' + "\\u001b" * 10 + '"; j: 1', 20, 'k: "\\u001b\\u001b…"…'),
        ('k: "' + "\\u001b" * 10 + '"', 6, 'k: "…"'),
        ('k: "' + "\\u001b" * 10 + '"', 5, "k:…"),  # no room for a quotation
        ("plain words " * 5, 12, "plain words…"),
    ],
)
def test_cut_between_quotations_never_leaves_a_quotation_open(
    text: str, limit: int, expected: str
) -> None:
    cut = cut_between_quotations(text, limit)
    assert cut == expected and len(cut) <= limit


def test_the_value_quoted_by_show_citation_fits_whole() -> None:
    """``show_citation`` quotes text cut to 100 characters: the line shows that quotation whole."""
    quoted = quote("x" * 300, limit=100)
    assert cut_between_quotations(quoted, SHOWN_VALUE_LIMIT) == quoted
