"""Pictures of where a value was read: the cited region of a document page, highlighted.

Extend has no page-image endpoint, so ``citation_image`` downloads the run's file
(``tools.client.files``) and renders it here (pypdfium2 for PDFs, Pillow for
images). Depends on ``tools.runs`` and ``tools.client`` only; the faces, Slack
and the CLI sit on top.
"""
