"""``build_app``: the Bolt app, from its parts. A thin entry; listeners live in ``listeners/``.

    app = build_app(settings, session, run_tools, web_client, state=state)

Everything is passed in (the agent session, the tools, the Slack ``WebClient``,
the SQLite state), so tests and benchmarks wire a mock Slack API and the
emulator, and ``slack_app.runtime`` wires the real things from the environment.

The app runs with ``process_before_response=True``: each listener only hands its
work to the work pool and returns, so the HTTP response (the ack) follows at
once, and no listener can be starved of a Bolt worker while answers are being
computed. Slow work never runs before the ack.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from agent.session import AgentSession
from slack_app.conversation import Conversations
from slack_app.decisions import ChangeDecisions
from slack_app.dedupe import once_per_event, release_on_error
from slack_app.extend_command import ExtendCommand
from slack_app.feedback.listener import register_feedback
from slack_app.feedback.store import FeedbackStore
from slack_app.home.listener import register_app_home
from slack_app.home.prompts import PromptSource
from slack_app.listeners import register_listeners
from slack_app.proposals import ChangeProposals
from slack_app.request_checks import quiet_signature_failures
from slack_app.services import SlackServices, background_runner
from slack_app.settings import SlackSettings
from slack_app.state.slack_state import SlackState
from slack_app.webhooks.actions import register_alert_actions
from tools.faces.run_tools import RunTools

logger = logging.getLogger(__name__)

WEB_API_TIMEOUT_SECONDS = 30
RATE_LIMIT_RETRIES = 3


def make_web_client(settings: SlackSettings) -> WebClient:
    """A ``WebClient`` on ``SLACK_API_URL`` that waits out 429s and retries dropped connections."""
    return WebClient(
        token=settings.require_bot_token(),
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
        logger=logging.getLogger("slack_app.web"),
    )


def build_app(
    settings: SlackSettings,
    session: AgentSession,
    run_tools: RunTools,
    web_client: WebClient | None = None,
    *,
    state: SlackState,
    executor: Executor | None = None,
    low_confidence: float | None = None,
    token_verification_enabled: bool = True,
    feedback: FeedbackStore | None = None,
) -> App:
    """The Bolt app answering through ``session`` and ``run_tools``.

    ``web_client`` defaults to ``make_web_client(settings)``. ``executor`` runs the
    slow work (agent turns, Extend calls, posting); by default a pool of
    ``settings.work_pool_size()`` threads that lives as long as the process. With
    ``token_verification_enabled`` Bolt calls ``auth.test`` once, here, to learn
    the bot's user id. ``feedback`` keeps the votes on answers (in memory if not given).
    """
    quiet_signature_failures()  # a rejected request's body is never logged
    client = web_client or make_web_client(settings)
    work = executor or ThreadPoolExecutor(
        max_workers=settings.work_pool_size(), thread_name_prefix="slack-work"
    )
    threshold = run_tools.low_confidence if low_confidence is None else low_confidence
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
    app = App(
        name="extend-run-agent",
        client=client,
        signing_secret=secret,
        process_before_response=True,
        token_verification_enabled=token_verification_enabled,
        request_verification_enabled=True,
        logger=logging.getLogger("slack_app.bolt"),
    )
    app.use(once_per_event(state, settings.dedupe_ttl_seconds))
    app.error(release_on_error(state))
    submit = background_runner(work)
    proposals = ChangeProposals(state)
    decisions = ChangeDecisions(
        client=client,
        state=state,
        session=session,
        run_tools=run_tools,
        proposals=proposals,
        approver_ids=settings.approver_ids,
        low_confidence=threshold,
        approval_ttl_seconds=settings.approval_ttl_seconds,
    )
    services = SlackServices(
        state=state,
        run_in_background=submit,
        suggested_prompts=PromptSource(run_tools.client).prompts,
        conversations=Conversations(
            client=client,
            session=session,
            state=state,
            proposals=proposals,
            decisions=decisions,
            submit=submit,
            low_confidence=threshold,
            streaming=settings.streaming,
            dedupe_ttl_seconds=settings.dedupe_ttl_seconds,
        ),
        decisions=decisions,
        extend_command=ExtendCommand(
            client=client, run_tools=run_tools, proposals=proposals, low_confidence=threshold
        ),
    )
    register_alert_actions(
        app, read_run=run_tools.client.get_run, low_confidence=threshold, submit=submit
    )
    register_app_home(app, extend=run_tools.client, submit=submit)
    register_feedback(app, store=feedback or FeedbackStore(), submit=submit)
    register_listeners(app, services)
    return app
