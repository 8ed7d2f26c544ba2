"""The front end as browsers get it, and THE status table (``static/states.json``) for Python.

anywidget loads a widget's ES module from a blob URL, where relative imports cannot resolve, so
:func:`module` inlines each ``from "./x.js"`` / ``from "./x.json"`` as a ``data:`` URL. The
files stay plain modules that node's test runner imports as they are.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
_RELATIVE_IMPORT = re.compile(r'from\s+"\./([\w.-]+)"(?:\s+with\s*\{\s*type:\s*"json"\s*\})?')


def _data_url(source: str) -> str:
    return "data:text/javascript;base64," + base64.b64encode(source.encode()).decode()


@functools.cache
def module(name: str) -> str:
    """The ES module *name* from ``static/`` with its relative imports inlined."""
    def inline(match: re.Match[str]) -> str:
        dependency = match.group(1)
        if dependency.endswith(".json"):
            source = f"export default {json.dumps(json.loads((STATIC / dependency).read_text()))};"
        else:
            source = module(dependency)
        return f'from "{_data_url(source)}"'

    return _RELATIVE_IMPORT.sub(inline, (STATIC / name).read_text(encoding="utf-8"))


def stylesheet(*names: str) -> str:
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)


_TABLE: dict[str, Any] = json.loads((STATIC / "states.json").read_text(encoding="utf-8"))
STATES: dict[str, dict[str, str]] = _TABLE["states"]
ICONS: dict[str, str] = _TABLE["icons"]
TONE_COLOURS: dict[str, str] = _TABLE["tones"]


def state_of(status: str) -> dict[str, str]:
    """The table row of *status* (the ``job-unknown`` row for a name it does not know)."""
    return STATES.get(status, STATES["job-unknown"])


def icon_svg(status: str, size: str = "1em") -> str:
    """The badge icon of *status* as inline SVG markup (for static HTML)."""
    path = html.escape(ICONS[state_of(status)["icon"]], quote=True)
    return (f'<svg viewBox="0 0 16 16" width="{size}" height="{size}" fill="currentColor" '
            f'aria-hidden="true" style="vertical-align:-0.125em"><path d="{path}"/></svg>')
