"""The offline model: a rule-based LangChain chat model, used when no OpenAI key is set.

It is a real ``BaseChatModel``: the agent graph binds the tools to it, it answers
with ``AIMessage.tool_calls``, the tools run, and it writes the answer from their
results, so the same graph, approval gate and checkpointer serve both models. It
is stateless: the checkpointed conversation it is given is its memory.

A turn takes two calls: the first reads the person's latest message
(``agent.offline.intents``) and asks for one tool call, the second answers from
the tool's structured run (``agent.offline.answers``); a question about where a
field sits on the page takes one more, drawing it (``agent.offline.citation_step``).
Only the person's own
messages are ever interpreted; text that came from a document (inside tool
results) is quoted at most, so a document cannot make it change anything. Each
change it proposes still waits for a human's approval in the graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.messages.tool import tool_call
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.offline import answers, change_answers, wording
from agent.offline.amend import amended_change, amendment
from agent.offline.candidate_pick import with_candidate_picked
from agent.offline.citation_step import citation_calls, citation_lines, without_citations
from agent.offline.conversation import (
    Turn,
    artifact_run,
    current_turn,
    earlier_questions,
    known_field_names,
    message_text,
    run_in_focus,
)
from agent.offline.intents import understand
from agent.offline.own_names import answered_by_own_names, lookup_answer
from agent.offline.ranking import ranking_step
from agent.offline.run_finding import after_find, first_call
from agent.offline.run_survey import survey_step
from agent.offline.undo import UndoScope, last_applied_change, undo_of
from agent.safety import neutralize_mentions
from tools.faces.read_only import READ_ONLY_MESSAGE, is_read_only
from tools.faces.tool_names import GET_RUN, UPDATE_RUN_METADATA
from tools.text.summary import LOW_CONFIDENCE

_DECISION_SOURCE = "hitl_interrupt_decision"


class OfflineChatModel(BaseChatModel):
    """Understands the common requests about runs; says plainly what it cannot do."""

    low_confidence: float = LOW_CONFIDENCE
    """Fields scoring below this are flagged, as in the summaries."""

    @property
    def _llm_type(self) -> str:
        return "extend-offline-rules"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"low_confidence": self.low_confidence}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Remember which tools exist; their schemas are known, the rules use the names."""
        names = [convert_to_openai_tool(tool)["function"]["name"] for tool in tools]
        return self.bind(tool_names=names)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        tool_names = kwargs.get("tool_names")
        message = self.respond(messages, tool_names=tool_names)
        return ChatResult(generations=[ChatGeneration(message=message)])

    # -- the two steps of a turn ---------------------------------------------------

    def respond(
        self, messages: Sequence[BaseMessage], *, tool_names: Sequence[str] | None = None
    ) -> AIMessage:
        """The next assistant message for this conversation."""
        turn = with_candidate_picked(current_turn(messages))  # "the second one"
        ranked = ranking_step(turn, tool_names)  # "which invoice is the largest?"
        if ranked is not None:
            return ranked
        surveyed = survey_step(turn, tool_names)  # "how much do we owe?", "invoices over $1,000"
        if surveyed is not None:
            return surveyed
        if turn.results:
            drawing = citation_calls(turn, tool_names)  # "where is it on the page?": draw it
            if drawing is not None:
                return drawing
            read = without_citations(turn)
            drawn = citation_lines(turn)
            found = after_find(read, tool_names, self.low_confidence)  # resolved, listed, asked
            if found is not None:
                if drawn and not found.tool_calls:
                    found.content = " ".join([message_text(found), *drawn])
                return found
            text = " ".join([self._answer(read), *drawn])
            return AIMessage(content=neutralize_mentions(text))
        return self._act(turn, tool_names)

    def _act(self, turn: Turn, tool_names: Sequence[str] | None) -> AIMessage:
        finding = first_call(turn, tool_names)  # a run named by vendor, file, suffix, link...
        if finding is not None:
            return finding
        amending = self._amend(turn, tool_names)  # "actually make that CC-13"
        if amending is not None:
            return amending
        understanding = understand(turn.question, known_field_names(turn.history))
        if understanding.problem:
            return AIMessage(content=understanding.problem)
        if understanding.kind == "help":
            return AIMessage(content=wording.HELP_TEXT)
        if understanding.kind == "thanks":
            return AIMessage(content="You're welcome.")
        if understanding.kind == "unknown":
            return AIMessage(content=wording.OUT_OF_SCOPE_TEXT)
        if understanding.kind == "undo" and understanding.undo is not None:
            return self._undo(turn, understanding.run_ids, understanding.undo, tool_names)
        run_id = understanding.run_id or run_in_focus(turn.history)
        if run_id is None and understanding.kind == "lookup":  # no run whose names could tell
            return AIMessage(content=wording.OUT_OF_SCOPE_TEXT)
        writing = understanding.write is not None
        tool = UPDATE_RUN_METADATA if writing else GET_RUN
        if run_id is None:
            return AIMessage(content=wording.which_run("change" if writing else "look at"))
        if tool_names is not None and tool not in tool_names:
            if writing and _read_only():
                return AIMessage(content=READ_ONLY_MESSAGE)
            return AIMessage(content=f"I can't do that here: the {tool} tool is not available.")
        if understanding.write is not None:
            args = understanding.write.tool_args(run_id)
            content = neutralize_mentions(change_answers.proposal_text(args))
        else:
            args = {"run_id": run_id}
            if "why" in understanding.aspects:
                args["include_reasoning"] = True
            content = ""
        call = tool_call(name=tool, args=args, id=f"offline_{uuid.uuid4().hex[:16]}")
        return AIMessage(content=content, tool_calls=[call])

    def _amend(self, turn: Turn, tool_names: Sequence[str] | None) -> AIMessage | None:
        """The previous turn's one change again, with the value this message corrects it to."""
        value = amendment(turn.question)
        args = amended_change(value, turn.history) if value is not None else None
        if args is None:
            return None
        if tool_names is not None and UPDATE_RUN_METADATA not in tool_names:
            return AIMessage(content="I can't do that here: changes are not available.")
        content = "Instead: " + change_answers.proposal_text(args)
        call = tool_call(name=UPDATE_RUN_METADATA, args=args, id=f"offline_{uuid.uuid4().hex[:16]}")
        return AIMessage(content=neutralize_mentions(content), tool_calls=[call])

    def _undo(
        self,
        turn: Turn,
        named: Sequence[str],
        scope: UndoScope,
        tool_names: Sequence[str] | None,
    ) -> AIMessage:
        """Propose the inverse of the thread's last applied change (same approval as any)."""
        change = last_applied_change(turn.history, scope)
        if change is None and scope == "name" and last_applied_change(turn.history) is not None:
            return AIMessage(
                content="None of the changes I made in this conversation renamed a run, so there "
                "is no old name to put back. Nothing was written; “undo that” takes back the last "
                "change."
            )
        undo = undo_of(change, scope)
        if undo.args is None:
            return AIMessage(content=undo.problem or "There is nothing to undo.")
        run_id = str(undo.args["run_id"])
        if named and run_id not in named:
            return AIMessage(
                content=f"The last change I made was on {run_id}, not {named[0]}, so I can only "
                f"undo that one. Nothing was written."
            )
        if tool_names is not None and UPDATE_RUN_METADATA not in tool_names:
            return AIMessage(content="I can't do that here: changes are not available.")
        lead = "To put the old name back: " if scope == "name" else "To undo the last change: "
        content = lead + change_answers.proposal_text(undo.args)
        call = tool_call(
            name=UPDATE_RUN_METADATA, args=undo.args, id=f"offline_{uuid.uuid4().hex[:16]}"
        )
        return AIMessage(content=neutralize_mentions(content), tool_calls=[call])

    def _answer(self, turn: Turn) -> str:
        result = turn.results[-1]
        call = turn.call_for(result) or {}
        args: dict[str, Any] = dict(call.get("args") or {})
        run_id = str(args.get("run_id") or "the run")
        text = message_text(result)
        run = artifact_run(result)
        if (call.get("name") or result.name) == UPDATE_RUN_METADATA:
            if _was_declined(result):
                refused = change_answers.refusal_reason(text)
                if refused is not None:
                    return change_answers.refused_answer(run_id, refused)
                return change_answers.declined_answer(run_id)
            if result.status == "error" or run is None:
                return change_answers.failed_change_answer(run_id, text)
            return change_answers.changed_answer(args, run, text)
        if result.status == "error" or run is None:
            return answers.failed_read_answer(run_id, text)
        understanding = understand(turn.question, tuple(f.name for f in run.fields))
        if answered_by_own_names(understanding, run):  # "how many containers?", "the vendor id"
            return lookup_answer(understanding, run, self.low_confidence)
        if not understanding.needs_run or understanding.kind == "write":
            understanding = replace(understanding, kind="summary")
        return answers.answer_question(
            understanding,
            run,
            earlier=earlier_questions(turn.history),
            low_confidence=self.low_confidence,
        )


def _was_declined(result: ToolMessage) -> bool:
    """A tool result the approval gate wrote because a person said no."""
    if result.status != "error":
        return False
    source = result.additional_kwargs.get("lc_source")
    return source == _DECISION_SOURCE or message_text(result).startswith("User rejected")


def _read_only() -> bool:
    """Whether writes are off (``EXTEND_AGENT_READ_ONLY``); a bad value counts as off too."""
    try:
        return is_read_only()
    except ValueError:
        return True
