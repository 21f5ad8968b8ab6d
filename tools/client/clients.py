"""A small, fast HTTP client for Extend workflow runs, sync and async.

    with ExtendClient(api_key="sk_...") as extend:
        run = extend.get_run("workflow_run_1234")
        run = extend.update_run(run.id, name="ACME March", metadata={"vendor": "ACME"})

Both clients return the normalized ``tools.runs.models.Run`` (``run.raw`` keeps the
JSON Extend sent), validate ids and bodies before sending anything, and retry
429/408/5xx, dropped connections and timeouts with ``Retry-After`` honoured (a
wait over a minute fails at once, saying how long). Each attempt, slow body
included, gets at most ``timeout`` seconds in all; the whole call, retries and
waits included, at most ``deadline`` (EXTEND_DEADLINE). An answer larger than
``max_response_bytes`` is refused while it streams in.
Updates are retried too: setting the same name and merging the same metadata
twice leaves the run as once. Importing this module imports neither LangChain,
Slack nor MCP, nor pydantic until the first response arrives.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import httpx

from tools.client.config import ClientConfig
from tools.client.core import ClientCore
from tools.client.deadline import install as install_deadline
from tools.client.exchange import Accept, BuildRequest, aexchange, exchange
from tools.client.validation import build_update_body, validate_run_id

if TYPE_CHECKING:
    from types import TracebackType

    from tools.client.files import FileContent, FileInfo
    from tools.client.run_listing import ListFilterOptions
    from tools.runs.listing import RunListItem, RunPage
    from tools.runs.models import Run

__all__ = ["AsyncExtendClient", "ClientConfig", "ClientOptions", "ExtendClient"]


class ClientOptions(TypedDict, total=False):
    """What both clients accept besides the key; each falls back to its ``EXTEND_*`` variable."""

    base_url: str | None
    api_version: str | None
    workspace_id: str | None
    timeout: float | None
    max_retries: int | None
    max_metadata_bytes: int | None
    deadline: float | None
    max_response_bytes: int | None
    config: ClientConfig | None


class _ClientBase:
    """Configuration both clients take the same way: arguments win over ``EXTEND_*`` env."""

    def __init__(self, api_key: str | None, options: ClientOptions) -> None:
        config = options.pop("config", None)
        overrides: dict[str, Any] = {"api_key": api_key, **options}
        if config is None:
            self.config = ClientConfig.from_env(**overrides)
        else:
            self.config = config.with_overrides(**overrides)
        self._core = ClientCore(self.config)

    def _update_body(
        self, run_id: str, name: str | None, metadata: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        validate_run_id(run_id)
        return build_update_body(name, metadata, max_bytes=self.config.max_metadata_bytes)

    def _accept_run(self, run_id: str, what: str) -> Accept[Run]:
        """The run from a 2xx answer (``ClientCore.handle``), else the matching error."""
        return lambda response, data: self._core.handle(response, data, run_id, what)


def _run_request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    run_id: str,
    body: dict[str, Any] | None,
) -> BuildRequest:
    """``GET``/``POST /workflow_runs/{run_id}``, built afresh for each attempt."""
    return lambda timeout: http.build_request(
        method, f"/workflow_runs/{run_id}", json=body, timeout=timeout
    )


class ExtendClient(_ClientBase):
    """Blocking client; one pooled ``httpx.Client`` per instance. Use as a context manager."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(api_key, options)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, **self._core.client_kwargs())
        install_deadline(self._http)

    def get_run(self, run_id: str, *, timeout: float | None = None) -> Run:
        """Fetch one run with its extracted fields, citations and review state."""
        run_id = validate_run_id(run_id)
        return self._send("GET", run_id, None, timeout, f"get of run {run_id}")

    def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Run:
        """Rename the run and/or merge ``metadata`` into its metadata (incoming keys win)."""
        body = self._update_body(run_id, name, metadata)
        return self._send("POST", run_id, body, timeout, f"update of run {run_id}")

    def list_runs(
        self,
        *,
        page_token: str | None = None,
        timeout: float | None = None,
        **filters: Unpack[ListFilterOptions],
    ) -> RunPage:
        """One page of runs (summaries, no fields), filtered and sorted as Extend does."""
        from tools.client.run_listing import ListFilters, check_page_token, fetch_page

        params = ListFilters.checked(**filters).params(check_page_token(page_token))
        return fetch_page(self._http, self._core, self._sleep, params, timeout)

    def iter_runs(
        self,
        *,
        max_pages: int | None = None,
        timeout: float | None = None,
        **filters: Unpack[ListFilterOptions],
    ) -> Iterator[RunListItem]:
        """Runs page after page, stopping after ``max_pages`` (see ``run_listing``)."""
        from tools.client.run_listing import ListFilters, fetch_page, page_limit

        checked, pages = ListFilters.checked(**filters), page_limit(max_pages)
        token: str | None = None
        for _ in range(pages):
            page = fetch_page(self._http, self._core, self._sleep, checked.params(token), timeout)
            yield from page.items
            token = page.next_page_token
            if token is None:
                return

    def get_file(self, file_id: str, *, timeout: float | None = None) -> FileInfo:
        """A file's name, type, pages and page sizes, with a short-lived download link."""
        from tools.client.file_transfer import get_file

        return get_file(self._http, self._core, self._sleep, file_id, timeout)

    def download_file(self, file: str | FileInfo, *, timeout: float | None = None) -> FileContent:
        """A file's bytes (by id, or a ``FileInfo`` whose link is used first); see ``files.py``."""
        from tools.client.file_transfer import download_file

        return download_file(self._http, self._core, self._sleep, file, timeout)

    def _send(
        self,
        method: str,
        run_id: str,
        body: dict[str, Any] | None,
        timeout: float | None,
        what: str,
    ) -> Run:
        build = _run_request(self._http, method, run_id, body)
        accept = self._accept_run(run_id, what)
        return exchange(self._http, self._core, self._sleep, build, accept, what, timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ExtendClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncExtendClient(_ClientBase):
    """The same client for asyncio; one pooled ``httpx.AsyncClient`` per instance."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(api_key, options)
        if sleep is None:  # asyncio is imported only by those who use the async client
            import asyncio

            sleep = asyncio.sleep
        self._sleep = sleep
        self._http = httpx.AsyncClient(transport=transport, **self._core.client_kwargs())
        install_deadline(self._http)

    async def get_run(self, run_id: str, *, timeout: float | None = None) -> Run:
        """Fetch one run with its extracted fields, citations and review state."""
        run_id = validate_run_id(run_id)
        return await self._send("GET", run_id, None, timeout, f"get of run {run_id}")

    async def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Run:
        """Rename the run and/or merge ``metadata`` into its metadata (incoming keys win)."""
        body = self._update_body(run_id, name, metadata)
        return await self._send("POST", run_id, body, timeout, f"update of run {run_id}")

    async def list_runs(
        self,
        *,
        page_token: str | None = None,
        timeout: float | None = None,
        **filters: Unpack[ListFilterOptions],
    ) -> RunPage:
        """One page of runs (summaries, no fields), filtered and sorted as Extend does."""
        from tools.client.run_listing import ListFilters, afetch_page, check_page_token

        params = ListFilters.checked(**filters).params(check_page_token(page_token))
        return await afetch_page(self._http, self._core, self._sleep, params, timeout)

    async def iter_runs(
        self,
        *,
        max_pages: int | None = None,
        timeout: float | None = None,
        **filters: Unpack[ListFilterOptions],
    ) -> AsyncIterator[RunListItem]:
        """Runs page after page, stopping after ``max_pages`` (see ``run_listing``)."""
        from tools.client.run_listing import ListFilters, afetch_page, page_limit

        checked, pages = ListFilters.checked(**filters), page_limit(max_pages)
        token: str | None = None
        for _ in range(pages):
            page = await afetch_page(
                self._http, self._core, self._sleep, checked.params(token), timeout
            )
            for item in page.items:
                yield item
            token = page.next_page_token
            if token is None:
                return

    async def get_file(self, file_id: str, *, timeout: float | None = None) -> FileInfo:
        """A file's name, type, pages and page sizes, with a short-lived download link."""
        from tools.client.file_transfer import aget_file

        return await aget_file(self._http, self._core, self._sleep, file_id, timeout)

    async def download_file(
        self, file: str | FileInfo, *, timeout: float | None = None
    ) -> FileContent:
        """A file's bytes (by id, or a ``FileInfo`` whose link is used first); see ``files.py``."""
        from tools.client.file_transfer import adownload_file

        return await adownload_file(self._http, self._core, self._sleep, file, timeout)

    async def _send(
        self,
        method: str,
        run_id: str,
        body: dict[str, Any] | None,
        timeout: float | None,
        what: str,
    ) -> Run:
        build = _run_request(self._http, method, run_id, body)
        accept = self._accept_run(run_id, what)
        return await aexchange(self._http, self._core, self._sleep, build, accept, what, timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncExtendClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
