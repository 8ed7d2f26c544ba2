"""The front end as shipped: one status table for every view, modules that load from a blob."""

from __future__ import annotations

import base64
import json
import re

from gpjob_widget import frontend
from gpjob_widget import status as st

DATA_URL = re.compile(r'from "data:text/javascript;base64,([A-Za-z0-9+/=]+)"')


def _inlined(source: str) -> list[str]:
    return [base64.b64decode(m).decode() for m in DATA_URL.findall(source)]


def _all_inlined(source: str) -> list[str]:
    """Every module inlined in *source*, and in those, all the way down."""
    found = []
    for module in _inlined(source):
        found += [module, *_all_inlined(module)]
    return found


def test_every_status_has_one_row_with_an_svg_icon_and_a_tone():
    assert set(frontend.STATES) == {*st.ALL, st.UNKNOWN, *st.BATCH}
    css = (frontend.STATIC / "card.css").read_text()
    for row in frontend.STATES.values():
        assert re.fullmatch(r"[MmLlHhVvCcSsQqTtAaZz0-9 .,\-]+", frontend.ICONS[row["icon"]])
        assert row["tone"] in frontend.TONE_COLOURS and f".gpjob-tone-{row['tone']}" in css
        assert row["label"] and row["glyph"]


def test_the_card_module_carries_exactly_the_shared_table():
    served = frontend.module("card.js")
    everything = [served, *_all_inlined(served)]
    assert not any("./states.json" in m or 'from "./' in m for m in everything)  # blob URLs
    tables = {m for m in _all_inlined(served) if m.startswith("export default {")}
    (table_module,) = tables  # one table, however many modules import it
    table = json.loads(table_module.removeprefix("export default ").rstrip(";"))
    assert table == json.loads((frontend.STATIC / "states.json").read_text())


def test_the_card_and_the_board_share_one_status_module_not_a_copy():
    status = frontend.module("status.js")
    assert status in _inlined(frontend.module("board.js"))
    assert status in _all_inlined(frontend.module("card.js"))  # the same data: URL, one module
    for name in ("board.js", "card.js"):
        assert "export const STATES" not in DATA_URL.sub("", frontend.module(name))


def test_the_html_icon_is_svg_from_the_table():
    svg = frontend.icon_svg("job-cancelled")
    assert svg.startswith("<svg") and frontend.ICONS["stop"] in svg
    assert frontend.icon_svg("job-something-new") == frontend.icon_svg(st.UNKNOWN)
