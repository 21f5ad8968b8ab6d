"""Pick the chat model: OpenAI (or any OpenAI-compatible server) with a key, else offline.

``OPENAI_API_KEY`` selects ``ChatOpenAI`` with ``EXTEND_AGENT_MODEL`` (default
gpt-4.1-mini) and, if set, ``OPENAI_BASE_URL`` (a local or hosted compatible
server). Without a key the rule-based offline model answers, so the product works
with no keys at all. The description names the choice for people; it never
contains the key (nor credentials embedded in the base URL).
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.settings import AgentSettings
from tools.client.config import display_url

OFFLINE_DESCRIPTION = "offline model (rule-based; set OPENAI_API_KEY for free-form questions)"
REQUEST_TIMEOUT_SECONDS = 60.0


def choose_model(settings: AgentSettings | None = None) -> tuple[BaseChatModel, str]:
    """The model to use and a one-line description of it."""
    settings = settings or AgentSettings()
    key = settings.openai_api_key
    if key is not None and key.get_secret_value().strip():
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=settings.model_name,
            api_key=key,
            base_url=settings.openai_base_url or None,
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=2,
        )
        where = display_url(settings.openai_base_url) if settings.openai_base_url else None
        return model, f"{settings.model_name} via {where or 'OpenAI'}"
    from agent.offline.chat_model import OfflineChatModel

    return OfflineChatModel(low_confidence=settings.low_confidence), OFFLINE_DESCRIPTION
