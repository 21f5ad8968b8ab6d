"""``open_agent_session``: an ``AgentSession`` wired from the environment, as ``extend-agent``
and the Slack app run it (Extend or the built-in emulator, the tools, the model, the store).

The wiring modules (graph, checkpointer, model, LangChain tools) are imported when a
session is opened, not when this module is, so importing it stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from agent.extend_connection import announce_on_stderr
from agent.session_turns import AgentSession
from agent.settings import AgentSettings, load_settings
from tools.faces.run_tools import RunTools


@contextmanager
def open_agent_session(
    settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = announce_on_stderr,
) -> Iterator[AgentSession]:
    """Everything wired from the environment: Extend (or the emulator), tools, model, store."""
    from agent.build import build_agent
    from agent.checkpoint import open_checkpointer
    from agent.extend_connection import open_extend
    from agent.model_choice import choose_model
    from tools.faces.langchain_tools import make_tools
    from tools.images.image_cache import ImageCache

    settings = settings or load_settings()
    model, model_description = choose_model(settings)
    with (
        open_extend(settings, announce=announce) as extend,
        open_checkpointer(settings) as checkpointer,
    ):
        run_tools = RunTools(
            extend.client,
            low_confidence=settings.low_confidence,
            image_cache=ImageCache(settings.data_dir / "citation-images"),
        )
        agent = build_agent(model, make_tools(run_tools, approval="human"), checkpointer)
        yield AgentSession(
            agent,
            run_tools,
            model_description=model_description,
            extend_description=extend.description,
        )
