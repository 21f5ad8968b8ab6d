"""The HTTP client for Extend: ``clients`` (sync and async), ``core`` (what both share:
headers, retries, response handling), ``config``, ``errors`` and ``validation``.

Importing it costs httpx alone; the run models load on the first response.
"""
