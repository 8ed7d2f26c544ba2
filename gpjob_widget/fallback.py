"""Plain-text and static-HTML twins of the card, for terminals, saved notebooks and nbconvert."""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from typing import Any

from .frontend import STATES, TONE_COLOURS, icon_svg, state_of
from .status import TERMINAL


def badge(state: Mapping[str, Any]) -> tuple[str, str, str]:
    """(label, plain-text glyph, colour) of the card's badge, from THE status table."""
    status = str(state.get("status") or "job-new")
    row = state_of(status)
    label = row["label"]
    if status not in STATES or (status == "job-unknown" and state.get("raw_status")):
        label = f"Unknown ({state.get('raw_status') or status})"
    return label, row["glyph"], TONE_COLOURS[row["tone"]]


def elapsed_seconds(state: Mapping[str, Any]) -> int | None:
    """Whole seconds from started_at to ended_at (or now), epoch ms; None before the start."""
    start = state.get("started_at")
    if not start:
        return None
    return max(0, int(((state.get("ended_at") or time.time() * 1000) - start) / 1000))


def elapsed(state: Mapping[str, Any]) -> str:
    """``1 min 05 s`` from started_at to ended_at (or now), epoch ms."""
    seconds = elapsed_seconds(state)
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def stall_text(state: Mapping[str, Any], cancel: str | None = "cancel it") -> str:
    """"No progress reported for 42 min; if it is stuck, cancel it" while the engine calls
    the job stalled, else "". *cancel* says how, in the words of the view showing it (None:
    the first half only)."""
    changed = state.get("changed_at")
    if not state.get("stalled") or not changed or state.get("status") in TERMINAL:
        return ""
    quiet = f"No progress reported for {quiet_spell(time.time() * 1000 - changed)}"
    return f"{quiet}; if it is stuck, {cancel}" if cancel else quiet


def quiet_spell(ms: float) -> str:
    """"42 min", "3 h 5 min" (seconds under a minute), as the card says it too."""
    seconds = max(0, int(ms // 1000))
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _headline(state: Mapping[str, Any]) -> str:
    title = state.get("title") or "ArcGIS job"
    job_id = state.get("job_id") or ""
    return f"{title} {job_id}".strip()


def text_repr(state: Mapping[str, Any]) -> str:
    """One or two lines: what a terminal or a plain IPython shows."""
    label, _, _ = badge(state)
    parts = [f"{_headline(state)}: {label}"]
    if state.get("percent") is not None:
        parts.append(f"{state['percent']:.0f}%")
    if state.get("message_count"):
        parts.append(f"{state['message_count']} messages")
    if state.get("started_at"):
        parts.append(elapsed(state))
    line = " · ".join(parts)
    detail = state.get("error") or state.get("notice") or stall_text(state) or \
        state.get("progress_message")
    text = f"{line}\n  {detail}" if detail else line
    for name, preview in (state.get("previews") or {}).items():
        text += f"\n  {name}: {preview.get('summary', '')}"
    return text


def html_snapshot(state: Mapping[str, Any]) -> str:
    """A static, script-free, escaped HTML card: where the job was when the output was saved."""
    esc = html.escape
    label, _, colour = badge(state)
    icon = icon_svg(str(state.get("status") or "job-new"))
    percent = state.get("percent")
    bar = (f'<div style="height:6px;background:#e5e7eb;border-radius:3px;margin:6px 0">'
           f'<div style="width:{max(0.0, min(100.0, float(percent))):.0f}%;height:6px;'
           f'background:{colour};border-radius:3px"></div></div>') if percent is not None else ""
    lines = [f'<strong>{esc(_headline(state))}</strong> '
             f'<span style="color:{colour};font-weight:600">{icon} {esc(label)}</span>'
             + (f" · {percent:.0f}%" if percent is not None else "")
             + (f" · {esc(elapsed(state))}" if state.get("started_at") else ""), bar]
    texts = {**state, "stall": stall_text(state)}
    for key, style in (("progress_message", "color:#4b5563"), ("notice", "color:#b45309"),
                       ("stall", "color:#b45309"),
                       ("error", "color:#b91c1c;font-weight:600;white-space:pre-wrap")):
        if texts.get(key):
            lines.append(f'<div style="{style}">{esc(str(texts[key]))}</div>')
    if state.get("status") not in TERMINAL and state.get("job_url"):
        seen = state.get("checked_at")
        when = time.strftime(" at %Y-%m-%d %H:%M:%S UTC", time.gmtime(seen / 1000)) if seen else ""
        lines.append(f'<div style="color:#9a6700">Last seen {esc(label)}{esc(when)} (a saved '
                     f'snapshot, not live). Reattach: <code>JobWidget('
                     f'"{esc(str(state["job_url"]))}")</code> or <code>JobBoard.recent()</code>'
                     f'</div>')
    counts = [f"{state.get(k, 0)} {name}" for k, name in (
        ("message_count", "messages"), ("warning_count", "warnings"), ("error_count", "errors"))
        if state.get(k)]
    if counts:
        lines.append(f'<div style="color:#6b7280;font-size:90%">{esc(" · ".join(counts))}</div>')
    lines += [_preview_html(p) for p in (state.get("previews") or {}).values()]
    for item in state.get("loaded") or []:
        lines.append(f'<div style="font-size:90%">{esc(str(item.get("variable", "")))}: '
                     f'{esc(str(item.get("type", "")))} {esc(str(item.get("shape", "")))}</div>')
    return ('<div class="gpjob-snapshot" style="font-family:sans-serif;border:1px solid #d1d5db;'
            'border-radius:6px;padding:8px 12px;max-width:48em">' + "".join(lines) + "</div>")


def _preview_html(preview: Mapping[str, Any]) -> str:
    """One output as the saved notebook shows it: an inline SVG map, an HTML table, a value."""
    esc = html.escape
    kind = preview.get("kind")
    colour = "#b91c1c" if kind == "error" else "#374151"
    head = (f'<div data-output="{esc(str(preview.get("name", "")), quote=True)}" '
            'style="margin-top:6px;font-size:90%">'
            f'<strong>{esc(str(preview.get("label") or preview.get("name") or ""))}</strong> '
            f'<span style="color:{colour}">{esc(str(preview.get("summary", "")))}</span>')
    body = ""
    if kind == "features" and preview.get("svg"):
        body = f'<div style="margin:4px 0">{preview["svg"]}</div>'
    uri = str(preview.get("image_uri") or "")
    if uri.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
        alt = esc(str(preview.get("file") or preview.get("name") or ""), quote=True)
        body += (f'<div style="margin:4px 0"><img src="{uri}" alt="{alt}" '
                 'style="max-width:240px;max-height:160px"></div>')
    if kind in ("file", "raster") and preview.get("type"):
        body += f'<div style="color:#6b7280">{esc(str(preview["type"]))}</div>'
    table = preview if kind == "table" else preview.get("table") if kind == "features" else None
    if table and table.get("columns"):
        cells = "".join(f'<th style="text-align:left;padding:0 6px">{esc(c["name"])}'
                        f'<br><span style="font-weight:400;color:#6b7280">'
                        f'{esc(str(c.get("type", "")))}</span></th>'
                        for c in table["columns"])
        rows = "".join("<tr>" + "".join(f'<td style="padding:0 6px">{esc(v)}</td>'
                                        for v in row) + "</tr>" for row in table["head"])
        body += (f'<table style="border-collapse:collapse;font-size:90%"><thead><tr>{cells}'
                 f"</tr></thead><tbody>{rows}</tbody></table>")
    return head + body + "</div>"


NO_CARD = ("The live card cannot show in this page yet: gpjob_widget's front end was installed "
           "after the page was loaded (e.g. with %pip install in a running notebook). Reload "
           "the page and run this cell again to get the card; until then this snapshot "
           "follows the job.")


def no_card_html(state: Mapping[str, Any]) -> str:
    """The snapshot for a page without our front end, saying how to get the live card."""
    return (f'<div class="gpjob-no-card" style="color:#9a6700;margin-bottom:4px">'
            f"{html.escape(NO_CARD)}</div>" + html_snapshot(state))
