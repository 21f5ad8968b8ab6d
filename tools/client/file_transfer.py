"""Reading a file's description and downloading its bytes, sync and async.

The same request path as the run calls (``tools.client.exchange``): one deadline per call
covering every attempt and wait, the response size cap while the body streams
in, the same retries (429/408/5xx, dropped connections, timeouts) and the same
error tree. A download whose link is refused (403: expired, as links are after
about 15 minutes) asks Extend for the file again, once, and uses the fresh link.
``ExtendClient.get_file``/``download_file`` and their async twins call these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

import httpx

from tools.client.body import decode_json
from tools.client.core import ClientCore
from tools.client.deadline import CallDeadline
from tools.client.errors import NotFoundError, PermissionDeniedError
from tools.client.exchange import Accept, BuildRequest, aexchange, exchange
from tools.client.files import (
    FileContent,
    FileInfo,
    check_download_url,
    download_request,
    parse_file,
    redact_download_logs,
    refused_message,
    validate_file_id,
)


def _response(core: ClientCore, what: str) -> Accept[tuple[httpx.Response, bytes]]:
    """Accept a 2xx answer as it is (the caller parses it); raise for any other status."""

    def accept(response: httpx.Response, data: bytes) -> tuple[httpx.Response, bytes]:
        core.raise_for_status(response, data, what)
        return response, data

    return accept


def _file_not_found(file_id: str, error: NotFoundError) -> NotFoundError:
    return NotFoundError(
        f"Extend has no file {file_id} (404). Check the file id (from the run's files) "
        "and the workspace (EXTEND_WORKSPACE_ID).",
        status_code=404,
        code=error.code,
        request_id=error.request_id,
        body=error.body,
    )


def _file_request(http: httpx.Client | httpx.AsyncClient, file_id: str) -> BuildRequest:
    return lambda timeout: http.build_request(
        "GET", f"/files/{quote(file_id, safe='')}", timeout=timeout
    )


def _download_request(http: httpx.Client | httpx.AsyncClient, url: str) -> BuildRequest:
    return lambda timeout: download_request(http, url, timeout)


def _first_file(file: str | FileInfo) -> tuple[str, FileInfo | None]:
    if isinstance(file, FileInfo):
        return validate_file_id(file.id), file if file.presigned_url else None
    return validate_file_id(file), None


# --- sync ---------------------------------------------------------------------


def get_file(
    http: httpx.Client,
    core: ClientCore,
    sleep: Callable[[float], None],
    file_id: str,
    timeout: float | None = None,
    call: CallDeadline | None = None,
) -> FileInfo:
    file_id = validate_file_id(file_id)
    what = f"get of file {file_id}"
    call = call or core.start_call()
    build, accept = _file_request(http, file_id), _response(core, what)
    try:
        response, data = exchange(http, core, sleep, build, accept, what, timeout, call)
    except NotFoundError as error:
        raise _file_not_found(file_id, error) from None
    return parse_file(decode_json(data, what, response.status_code), file_id, what)


def download_file(
    http: httpx.Client,
    core: ClientCore,
    sleep: Callable[[float], None],
    file: str | FileInfo,
    timeout: float | None = None,
) -> FileContent:
    file_id, info = _first_file(file)
    call = core.start_call()
    if info is None:
        info = get_file(http, core, sleep, file_id, timeout, call)
    redact_download_logs()
    what = f"download of file {file_id}"
    for refreshed in (False, True):
        url = check_download_url(info.presigned_url, file_id)
        build, accept = _download_request(http, url), _response(core, what)
        try:
            response, data = exchange(http, core, sleep, build, accept, what, timeout, call)
        except PermissionDeniedError:
            if refreshed:
                raise PermissionDeniedError(refused_message(file_id), status_code=403) from None
            info = get_file(http, core, sleep, file_id, timeout, call)
            continue
        return FileContent(info, data, response.headers.get("content-type"))
    raise AssertionError("unreachable")  # pragma: no cover


# --- async --------------------------------------------------------------------


async def aget_file(
    http: httpx.AsyncClient,
    core: ClientCore,
    sleep: Callable[[float], Awaitable[None]],
    file_id: str,
    timeout: float | None = None,
    call: CallDeadline | None = None,
) -> FileInfo:
    file_id = validate_file_id(file_id)
    what = f"get of file {file_id}"
    call = call or core.start_call()
    build, accept = _file_request(http, file_id), _response(core, what)
    try:
        response, data = await aexchange(http, core, sleep, build, accept, what, timeout, call)
    except NotFoundError as error:
        raise _file_not_found(file_id, error) from None
    return parse_file(decode_json(data, what, response.status_code), file_id, what)


async def adownload_file(
    http: httpx.AsyncClient,
    core: ClientCore,
    sleep: Callable[[float], Awaitable[None]],
    file: str | FileInfo,
    timeout: float | None = None,
) -> FileContent:
    file_id, info = _first_file(file)
    call = core.start_call()
    if info is None:
        info = await aget_file(http, core, sleep, file_id, timeout, call)
    redact_download_logs()
    what = f"download of file {file_id}"
    for refreshed in (False, True):
        url = check_download_url(info.presigned_url, file_id)
        build, accept = _download_request(http, url), _response(core, what)
        try:
            response, data = await aexchange(http, core, sleep, build, accept, what, timeout, call)
        except PermissionDeniedError:
            if refreshed:
                raise PermissionDeniedError(refused_message(file_id), status_code=403) from None
            info = await aget_file(http, core, sleep, file_id, timeout, call)
            continue
        return FileContent(info, data, response.headers.get("content-type"))
    raise AssertionError("unreachable")  # pragma: no cover
