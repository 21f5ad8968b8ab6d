"""``python -m cli``: the same as the ``extend-agent`` command."""

from cli import main

main()
