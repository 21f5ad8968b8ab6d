"""``show_citation`` over MCP: the cited region of the page as image content, plus a line of text.

MCP clients (Claude Desktop, Cursor, IDEs) show image content to the user and to
the model, so the answer is one ``ImageContent`` block per cited page (PNG, sized
for MCP clients: ``tools.images.page_render.MCP``) followed by one ``TextContent``
line naming the field, its value and the page, then each image's alt text; the
structured content (``CitationShown``) says the same as data. The tool only
reads (``readOnlyHint``), so it is served in read-only mode too.

Arguments arrive untouched and are checked against ``ShowCitationArgs``
(``tools.faces.mcp_arguments``), so a bad one reads like on every other face.
"""

from __future__ import annotations

import base64

from mcp.server.mcpserver.exceptions import ToolError as MCPToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ImageContent, TextContent, ToolAnnotations

from tools.faces.mcp_arguments import LEFT_OUT, SentText, SentValue, validated
from tools.faces.run_tools import RunTools
from tools.faces.show_citation import IMAGE_MIME_TYPE, CitationOutput
from tools.faces.tool_arguments import ShowCitationArgs
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import SHOW_CITATION, describe_tool
from tools.faces.tool_outputs import CitationShown, ShownPage, output_schema, structured
from tools.faces.tool_schemas import input_schema

__all__ = ["TITLE", "citation_result", "show_citation_tool", "shown"]

TITLE = "Show where a value was read"


def show_citation_tool(run_tools: RunTools) -> Tool:
    """The MCP tool ``show_citation`` backed by ``run_tools``."""
    from tools.images.page_render import MCP

    def show_citation(
        run_id: SentText = LEFT_OUT,
        field: SentText = LEFT_OUT,
        whole_page: SentValue = None,
        before_review: SentValue = None,
    ) -> CallToolResult:
        sent = {
            "run_id": run_id,
            "field": field,
            "whole_page": whole_page,
            "before_review": before_review,
        }
        args = validated(ShowCitationArgs, SHOW_CITATION, sent)
        try:
            output = run_tools.show_citation(
                args.run_id,
                args.field,
                whole_page=args.whole_page,
                before_review=args.before_review,
                size=MCP,
            )
        except ToolError as error:
            raise MCPToolError(error.message) from None
        return citation_result(output)

    tool = Tool.from_function(
        show_citation,
        name=SHOW_CITATION,
        title=TITLE,
        description=describe_tool(SHOW_CITATION, approval="host"),
        annotations=ToolAnnotations(title=TITLE, read_only_hint=True, open_world_hint=False),
        structured_output=False,
    )
    tool.parameters = input_schema(ShowCitationArgs)
    tool.fn_metadata = tool.fn_metadata.model_copy(
        update={"output_model": CitationShown, "output_schema": output_schema(CitationShown)}
    )
    return tool


def citation_result(output: CitationOutput) -> CallToolResult:
    """The images as image content, then the line of text and each image's alt text."""
    images = output.images.images
    blocks: list[ImageContent | TextContent] = [
        ImageContent(
            type="image",
            data=base64.b64encode(image.png).decode("ascii"),
            mime_type=IMAGE_MIME_TYPE,
        )
        for image in images
    ]
    lines = [output.text]
    if len(images) > 1:
        lines += [f"Image {n}: {image.alt_text}" for n, image in enumerate(images, start=1)]
    elif images:
        lines.append(f"Image: {images[0].alt_text}")
    blocks.append(TextContent(type="text", text="\n".join(lines)))
    return CallToolResult(content=list(blocks), structured_content=structured(shown(output)))


def shown(output: CitationOutput) -> CitationShown:
    """What the images show, as structured content (no bytes: those are the image blocks)."""
    images = output.images
    return CitationShown(
        run_id=images.run_id,
        field=images.field,
        value=images.value_text,
        before_review=images.pre_review,
        whole_page=images.whole_page,
        images=[
            ShownPage(
                file_id=image.file_id,
                page=image.page,
                width=image.width,
                height=image.height,
                alt_text=image.alt_text,
            )
            for image in images.images
        ],
    )
