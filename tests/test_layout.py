"""What every page needs to fit a phone without a CSP error: htmx configured to inject no
inline style (its indicator CSS lives in the project's stylesheet)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_htmx_needs_no_inline_style(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").get_data(as_text=True)
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)
    assert meta is not None and json.loads(meta.group(1))["includeIndicatorStyles"] is False
    css = (ROOT / "governance" / "static" / "css" / "tablee.css").read_text()
    assert ".htmx-indicator { opacity: 0; }" in css and ".htmx-request .htmx-indicator" in css


def test_no_control_is_made_smaller_than_a_finger() -> None:
    css = (ROOT / "governance" / "static" / "css" / "tablee.css").read_text()
    heights = [int(h) for h in re.findall(r"min-height: (\d+)px", css)]
    assert heights and min(heights) >= 44
