"""The product's prompt text: the agent's system prompt and the tools' descriptions.

Prompts are product copy, reviewed like UI text, so they live as plain ``.txt``
files next to this module (shipped as package data) rather than as strings in
code. ``load_prompt("tool_get_run")`` returns ``prompts/tool_get_run.txt``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["load_prompt"]


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
