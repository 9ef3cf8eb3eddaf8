"""tools/offline_docs.py, the check CI's docs stage runs on every built page: it finds what a page
or stylesheet loads from outside the build folder, and leaves alone what stays inside it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "offline_docs", Path(__file__).resolve().parent.parent / "tools" / "offline_docs.py"
)
assert _spec is not None and _spec.loader is not None
offline_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(offline_docs)

PAGE = """<html><head>
<script src="_static/local.js"></script>
<script src="{script}"></script>
<link rel="stylesheet" href="{style}">
<link rel="next" href="https://example.org/next.html">
<style>body {{ background: url({font}) }}</style>
</head><body><a href="https://example.org">a link loads nothing</a>
<img src="data:image/png;base64,AAAA"><img src="{image}"></body></html>"""


def _site(tmp_path: Path, **urls: str) -> Path:
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "local.js").write_text("", encoding="utf-8")
    (tmp_path / "_static" / "ok.css").write_text("@import 'local.css';", encoding="utf-8")
    (tmp_path / "_static" / "local.css").write_text(
        "x { src: url(//fonts.example.org/f.woff2) }", encoding="utf-8"
    )
    (tmp_path / "page.html").write_text(PAGE.format(**urls), encoding="utf-8")
    return tmp_path


def test_every_kind_of_outside_load_is_reported(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        script="https://cdn.example.org/mathjax/tex-chtml.js",
        style="http://cdn.example.org/style.css",
        font="//fonts.example.org/font.woff",
        image="../outside.png",
    )
    found = offline_docs.check(site)
    assert found == [
        "_static/local.css: loads //fonts.example.org/f.woff2 from outside the build folder",
        "page.html: loads https://cdn.example.org/mathjax/tex-chtml.js from outside the build folder",
        "page.html: loads http://cdn.example.org/style.css from outside the build folder",
        "page.html: loads //fonts.example.org/font.woff from outside the build folder",
        "page.html: loads ../outside.png, outside the build folder",
    ]
    assert offline_docs.main([str(site)]) == 1


def test_a_self_contained_site_passes_and_a_missing_local_file_does_not(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        script="_static/local.js?v=1",
        style="_static/ok.css",
        font="_static/local.js",
        image="_static/local.js",
    )
    (site / "_static" / "local.css").write_text("x { color: red }", encoding="utf-8")
    assert offline_docs.check(site) == []
    assert offline_docs.main([str(site)]) == 0
    (site / "_static" / "local.js").unlink()
    assert all("which the build folder does not hold" in line for line in offline_docs.check(site))
    assert len(offline_docs.check(site)) == 4  # the first script, the second, the style url, the image
    assert offline_docs.main([str(tmp_path / "nothing")]) == 2
