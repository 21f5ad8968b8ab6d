"""A scripted LangChain chat model for unit tests of the agent graph (and the benchmark).

Each call to the model takes the next step of its script: an ``AIMessage`` to
return as is, or a function of the messages the model was given (to answer from
a tool result, or to behave like a model that obeys a prompt injection). It
records every call's messages and the tools it was bound to, and costs no time,
so what a benchmark measures around it is the agent's own overhead.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.messages.tool import tool_call
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]
_ids = itertools.count(1)


def call(tool: str, /, **args: Any) -> AIMessage:
    """A model turn making one tool call."""
    return AIMessage(content="", tool_calls=[tool_call(name=tool, args=args, id=_new_id())])


def calls(*pairs: tuple[str, dict[str, Any]]) -> AIMessage:
    """A model turn making several tool calls at once."""
    made = [tool_call(name=name, args=args, id=_new_id()) for name, args in pairs]
    return AIMessage(content="", tool_calls=made)


def say(text: str) -> AIMessage:
    return AIMessage(content=text)


def echo_last_tool_result(prefix: str = "") -> Step:
    """A step answering with the content of the latest tool result (status included)."""

    def step(messages: list[BaseMessage]) -> AIMessage:
        result = next(m for m in reversed(messages) if isinstance(m, ToolMessage))
        return AIMessage(content=f"{prefix}[{result.status}] {result.content}")

    return step


def _new_id() -> str:
    return f"scripted_{next(_ids)}"


class ScriptedChatModel(BaseChatModel):
    """Returns its script's steps in order; ``requests`` holds the messages of every call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any] = Field(default_factory=list)
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
        return self._requests

    @property
    def bound_tools(self) -> list[dict[str, Any]]:
        return self._bound_tools

    @property
    def calls_made(self) -> int:
        return len(self._requests)

    def add(self, *steps: Step) -> ScriptedChatModel:
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
