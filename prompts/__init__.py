"""The product's prompt text: the agent's system prompt and the tools' descriptions.

Prompts are product copy, reviewed like UI text, so they live as plain ``.txt``
files next to this module (shipped as package data) rather than as strings in
code. ``load_prompt("tool_get_run")`` returns ``prompts/tool_get_run.txt``.

A tool's description must tell the model the truth about what a call does, and
whether a write is approved by a person first depends on the face that serves the
tool, not on the tool. ``tool_description`` therefore adds to a writing tool's
text (``tool_<name>.txt``) the sentence for its face's approval mode
(``tool_write_approval_<mode>.txt``). The caller says which tool it is and whether
it writes (the names and the set of writing tools live with the tools, in
``tools.faces.tool_names``; prompts sit below tools and import nothing of them):

- ``"human"``: every call is shown to a person who approves or rejects it (the
  agent's ``HumanInTheLoopMiddleware``, a loop that previews and asks);
- ``"host"``: the host application decides (an MCP client; LangChain tools in an
  agent this package did not build);
- ``"none"``: the call writes at once (OpenAI ``dispatch``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

__all__ = ["WriteApproval", "load_prompt", "tool_description"]

WriteApproval = Literal["human", "host", "none"]


@cache
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.txt``, without trailing whitespace.

    Raises ``FileNotFoundError`` naming the prompt when there is no such file.
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a prompt name (use e.g. 'tool_get_run').")
    resource = resources.files(__package__).joinpath(f"{name}.txt")
    if not resource.is_file():
        raise FileNotFoundError(f"No prompt named {name!r} (expected prompts/{name}.txt).")
    return resource.read_text(encoding="utf-8").rstrip()


def tool_description(tool: str, *, writes: bool, approval: WriteApproval) -> str:
    """The description of ``tool`` (e.g. ``"get_run"``) for a face with ``approval`` writes.

    A tool that only reads (``writes=False``) gets ``prompts/tool_<tool>.txt`` as
    is; a writing tool gets that text followed by what its face does before writing.
    """
    text = load_prompt(f"tool_{tool}")
    if not writes:
        return text
    if approval not in ("human", "host", "none"):
        raise ValueError(f"approval must be 'human', 'host' or 'none', not {approval!r}.")
    return f"{text}\n\n{load_prompt(f'tool_write_approval_{approval}')}"
