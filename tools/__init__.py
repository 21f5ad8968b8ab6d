"""The tools other agents embed, and the small HTTP client behind them, in four layers.

- ``tools.client``: the httpx client (sync and async), its options, errors and checks;
- ``tools.runs``: both API versions' wire models, normalized into one ``Run``;
- ``tools.text``: summaries, value formatting, quoting, field names;
- ``tools.faces``: ``RunTools`` and its LangChain, OpenAI and MCP faces.

Each layer imports only the ones above it in this list. Import a name from the module
that defines it; nothing is imported at start-up, so a tool host pays only for what
it uses.
"""

__version__ = "0.1.0"
