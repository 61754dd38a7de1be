"""The reviews module (好差评) as a built-in plugin: rating pages, rectification desk."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.reviews.piccolo_app"]
