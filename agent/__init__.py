"""The LangChain agent: build_agent(), the offline model, conversation store and CLI.

Nothing is built at import time; factories take their dependencies.
"""
