"""Check that built HTML docs load nothing from outside their build folder.

Run from the repository root on a built site (CI's docs stage does, after the build)::

    python tools/offline_docs.py docs/_build/html

Every page is read, and every stylesheet the build ships: a script, stylesheet, font, image or
frame that a page (or a stylesheet, through ``url(...)`` and ``@import``) loads from a URL with a
scheme or from ``//host`` is reported, as is a local one the folder does not hold. Links a reader
follows (``<a href>``) load nothing and are not judged. Exit status 0 when every page is
self-contained, 1 otherwise, with one line per offending reference.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The attributes through which a browser loads something, by tag.
LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "embed": "src", "object": "data"}
#: ``<link rel=...>`` values that load the target.
LINK_LOADS = {"stylesheet", "preload", "icon", "modulepreload", "prefetch", "manifest"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class _Loads(HTMLParser):
    """The URLs a page loads: its scripts, stylesheets, images, frames and inline styles' ``url()``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and LINK_LOADS & set(values.get("rel", "").lower().split()):
            self.urls.append(values.get("href", ""))
        elif tag in LOADS and values.get(LOADS[tag]):
            self.urls.append(values[LOADS[tag]])
        self.urls.extend(css_urls(values.get("style", "")))
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(css_urls(data))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def css_urls(css: str) -> list[str]:
    """The URLs a piece of CSS loads (``url(...)`` and ``@import``)."""
    return [a or b for a, b in _CSS_URL.findall(css)]


def problem(url: str, base: Path, root: Path) -> str | None:
    """Why loading ``url`` from a file in ``base`` leaves ``root``, or ``None`` when it does not."""
    parts = urlsplit(url.strip())
    if parts.scheme == "data":
        return None
    if parts.scheme or parts.netloc:
        return f"loads {url} from outside the build folder"
    if not parts.path:
        return None
    target = (base / unquote(parts.path)).resolve()
    if not target.is_relative_to(root):
        return f"loads {url}, outside the build folder"
    if not target.exists():
        return f"loads {url}, which the build folder does not hold"
    return None


def check(root: Path) -> list[str]:
    """One line per reference of a page or stylesheet under ``root`` that does not stay inside it."""
    root = root.resolve()
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".html":
            parser = _Loads()
            parser.feed(path.read_text(encoding="utf-8"))
            urls = parser.urls
        elif path.suffix == ".css":
            urls = css_urls(path.read_text(encoding="utf-8"))
        else:
            continue
        for url in urls:
            why = problem(url, path.parent, root)
            if why:
                found.append(f"{path.relative_to(root)}: {why}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python tools/offline_docs.py BUILT_HTML_FOLDER", file=sys.stderr)
        return 2
    pages = len(list(Path(argv[0]).rglob("*.html")))
    if pages == 0:
        print(f"no HTML page under {argv[0]}: build the docs first", file=sys.stderr)
        return 2
    found = check(Path(argv[0]))
    for line in found:
        print(line)
    print(f"{pages} pages read; {len(found)} references leave the build folder")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
