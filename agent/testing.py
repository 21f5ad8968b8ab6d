"""Testing helpers for code built on the agent: a chat model that plays a script, and a session.

What httpx's ``MockTransport`` is for an HTTP client, ``ScriptedChatModel`` is for
the agent: test your own code around it (approvals, rendering, storage, a front
end) with the real graph, the real tools and a real checkpointer, but a model whose
every turn you wrote down. No model server, no key, no cost, no flakiness::

    from agent.testing import ScriptedChatModel, agent_session, call, say

    model = ScriptedChatModel(
        script=[
            call("get_run", run_id="workflow_run_1234"),  # the model's first turn
            say("The total is 15,735.10 USD."),  # its answer after the tool result
        ]
    )
    with agent_session(client, model, tmp_path / "conversations.sqlite3") as session:
        reply = session.ask("thread-1", "What is the total on workflow_run_1234?")
    assert reply.text == "The total is 15,735.10 USD."
    assert model.requests[1][-1].type == "tool"  # the second turn saw the tool result

Each call to the model takes the next step of its script: an ``AIMessage`` to
return as is (``say``, ``call``, ``calls`` build them), or a function of the
messages the model was given (answer from a tool result with
``echo_last_tool_result``, or behave like a model that obeys a prompt injection).
The model records every call's messages (``requests``) and the tools it was bound
to (``bound_tools``). It costs no time, so what a benchmark measures around it is
the agent's own overhead (``repeat=True`` cycles through the script). A call with
no step left fails with ``AssertionError`` naming the call, so a test that makes
the agent call its model more often than expected fails loudly.

``agent_session`` wires a session exactly as ``extend-agent`` does (the tools on
your ``ExtendClient``, every write paused for approval, a SQLite checkpointer at
the path you give), with your model: pair it with the local emulator
(``extend_emulator.EmulatorServer``) for tests that touch no network.
``postgres_agent_session`` does the same with the conversations in PostgreSQL.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.messages.tool import tool_call
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr

from agent.build import build_agent
from agent.checkpoint import open_checkpointer
from agent.session import AgentSession
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools
from tools.faces.run_tools import RunTools

__all__ = [
    "ScriptedChatModel",
    "Step",
    "agent_session",
    "call",
    "calls",
    "echo_last_tool_result",
    "say",
]

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]
"""One turn of a script: the model's reply, or a function of the messages it was given."""

_ids = itertools.count(1)


def call(tool: str, /, **args: Any) -> AIMessage:
    """A model turn making one tool call: ``call("get_run", run_id="workflow_run_1234")``."""
    return AIMessage(content="", tool_calls=[tool_call(name=tool, args=args, id=_new_id())])


def calls(*pairs: tuple[str, dict[str, Any]]) -> AIMessage:
    """A model turn making several tool calls at once: ``calls(("get_run", {...}), ...)``."""
    made = [tool_call(name=name, args=args, id=_new_id()) for name, args in pairs]
    return AIMessage(content="", tool_calls=made)


def say(text: str) -> AIMessage:
    """A model turn answering with ``text`` (no tool call)."""
    return AIMessage(content=text)


def echo_last_tool_result(prefix: str = "") -> Step:
    """A step answering with the latest tool result: ``"<prefix>[<status>] <content>"``."""

    def step(messages: list[BaseMessage]) -> AIMessage:
        result = next(m for m in reversed(messages) if isinstance(m, ToolMessage))
        return AIMessage(content=f"{prefix}[{result.status}] {result.content}")

    return step


def _new_id() -> str:
    return f"scripted_{next(_ids)}"


class ScriptedChatModel(BaseChatModel):
    """A chat model returning its script's steps in order; ``requests`` holds every call's input.

    Safe to share between threads; ``add`` appends steps while a test runs.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any] = Field(default_factory=list)
    """The steps (``Step``), in the order the model plays them."""
    repeat: bool = False
    """Cycle through the script forever (for benchmarks) instead of running out."""

    _position: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _requests: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _bound_tools: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-test-model"

    @property
    def requests(self) -> list[list[BaseMessage]]:
        """The messages of every call so far, oldest first."""
        return self._requests

    @property
    def bound_tools(self) -> list[dict[str, Any]]:
        """The tools the agent bound, as OpenAI tool definitions."""
        return self._bound_tools

    @property
    def calls_made(self) -> int:
        return len(self._requests)

    def add(self, *steps: Step) -> ScriptedChatModel:
        """Append ``steps`` to the script; returns the model, for chaining."""
        with self._lock:
            self.script.extend(steps)
        return self

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self._bound_tools = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            self._requests.append(list(messages))
            if self._position >= len(self.script):
                if not self.repeat or not self.script:
                    raise AssertionError(
                        f"ScriptedChatModel: no step left for call #{len(self._requests)}"
                    )
                self._position = 0
            step = self.script[self._position]
            self._position += 1
        message = step(list(messages)) if callable(step) else step
        # a fresh copy with fresh tool call ids, so a repeated script never reuses an id
        if message.tool_calls:
            message = AIMessage(
                content=message.content,
                tool_calls=[{**c, "id": _new_id()} for c in message.tool_calls],
            )
        else:
            message = AIMessage(content=message.content)
        return ChatResult(generations=[ChatGeneration(message=message)])


@contextmanager
def agent_session(
    client: ExtendClient, model: BaseChatModel, db_path: Path, **build_options: Any
) -> Iterator[AgentSession]:
    """A session wired as production wires it, on ``client``, ``model`` and SQLite ``db_path``.

    ``build_options`` go to ``agent.build.build_agent`` (``system_prompt``, ``max_turns``).
    """
    run_tools = RunTools(client)
    with open_checkpointer(path=db_path) as checkpointer:
        agent = build_agent(
            model, make_tools(run_tools, approval="human"), checkpointer, **build_options
        )
        yield AgentSession(agent, run_tools, model_description="test", extend_description="test")


@contextmanager
def postgres_agent_session(
    client: ExtendClient, model: BaseChatModel, database_url: str, **build_options: Any
) -> Iterator[AgentSession]:
    """``agent_session`` with its conversations in PostgreSQL at ``database_url``, as
    ``EXTEND_AGENT_DATABASE_URL`` puts them (LangGraph's PostgreSQL checkpointer)."""
    from agent.checkpoint import open_postgres_checkpointer

    run_tools = RunTools(client)
    with open_postgres_checkpointer(database_url) as checkpointer:
        agent = build_agent(
            model, make_tools(run_tools, approval="human"), checkpointer, **build_options
        )
        yield AgentSession(agent, run_tools, model_description="test", extend_description="test")
