"""The card's front-end unit tests (node's test runner + jsdom), run from the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent.parent / "js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="node and npm run the front-end unit tests")


def test_card_render_unit_tests_pass():
    if not (JS_DIR / "node_modules" / "jsdom").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=JS_DIR, check=True, timeout=300)
    run = subprocess.run(["npm", "test", "--silent"], cwd=JS_DIR, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
