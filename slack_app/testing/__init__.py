"""Testing helpers for code built on the Slack app: a recording Slack Web API, and Slack's side.

What httpx's ``MockTransport`` is for an HTTP client (and ``agent.testing`` for the
agent), these are for the Slack app: run the real app, served over real HTTP, with
its real ``WebClient``, against a Slack that records every call, and send it
events, clicks and slash commands signed exactly as Slack signs them. No Slack
workspace, no token, no network beyond loopback::

    from agent.offline.chat_model import OfflineChatModel
    from slack_app.server import EVENTS_PATH, create_asgi_app
    from slack_app.testing.app_on_mock import open_app_on_mock
    from slack_app.testing.serving import serve_in_thread
    from slack_app.testing.slack_requests import CHANNEL, SlackSender, mention
    from slack_app.testing.web_api import SlackMock

    with (
        SlackMock() as slack,
        open_app_on_mock(slack.url, extend_client, tmp_path, model=OfflineChatModel()) as app,
        serve_in_thread(create_asgi_app(app)) as url,
    ):
        sender = SlackSender(url + EVENTS_PATH)
        event = mention("What is the total on workflow_run_1234?")
        sender.event(event)
        [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]))
        sender.close()

- ``web_api``: ``SlackMock``, the Web API on loopback (``SLACK_API_URL`` = its
  ``url``): records each call with its arguments, enforces Slack's message limits,
  answers file uploads, and fails or rate-limits a method on request;
  ``answers()`` / ``posts()`` / ``streams()`` / ``uploads()`` read the record and
  ``wait_for`` waits on it with a deadline instead of sleeping. Its parts:
  ``call_log`` (the record and its queries), ``web_api_methods`` (what each
  method answers) and ``web_api_http`` (the loopback HTTP server).
- ``slack_requests``: ``SlackSender`` (HMAC-SHA256 ``v0`` signatures, as Slack)
  and the payloads it sends (``mention``, ``message``, ``event_envelope``,
  ``block_action``), with the test workspace's ids and secrets.
- ``serving``: ``serve_in_thread``, any ASGI app served as production serves it
  (``slack_app.http_limits``) on a free loopback port.
- ``app_on_mock``: ``open_app_on_mock``, the app wired as production wires it
  (agent session, state and feedback in a data dir, a work pool) on the mock.

Pair them with the Extend emulator (``extend_emulator.EmulatorServer``) for
tests that touch no network; nothing here imports it, so the emulator stays apart.
"""
