"""Extend's workflow runs: the wire models of both API versions (``wire``), the
normalized ``Run`` every other part uses (``models``), and the step between (``normalize``).
"""
