"""Labels on every control, names on every button and link, enough contrast.

Checked on the real pages an agent, a clerk and a resident use, as served:
each form control is named by a <label for>, an enclosing <label>, or
aria-label(ledby); every button and link has a name; images have alt
text; the page declares its language and has one main heading. The
stylesheet's colour pairs meet WCAG AA (4.5:1 for text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.ui import flows, media

CSS = Path(__file__).resolve().parents[2] / "core" / "web" / "static" / "app.css"
UNNAMED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict, bool]] = []  # tag, attrs, inside a <label>
        self.open_labels = 0
        self.named: list[tuple[str, dict, list[str]]] = []  # buttons and links with their text
        self.stack: list[tuple[str, dict, list[str]]] = []
        self.images: list[dict] = []
        self.h1 = 0
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = attrs.get("lang", "")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if not (tag == "input" and attrs.get("type", "text") in UNNAMED_INPUTS):
                self.controls.append((tag, attrs, self.open_labels > 0))
        elif tag == "img":
            self.images.append(attrs)
        if tag in ("button", "a"):
            self.stack.append((tag, attrs, []))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)
        if tag in ("button", "a") and self.stack and self.stack[-1][0] == tag:
            self.named.append(self.stack.pop())

    def handle_data(self, data):
        for _, _, texts in self.stack:
            texts.append(data)


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    problems = []
    if parser.lang not in ("zh-CN", "en"):
        problems.append(f"html lang={parser.lang!r}")
    if parser.h1 != 1:
        problems.append(f"{parser.h1} <h1> headings")
    for tag, attrs, in_label in parser.controls:
        named = (
            in_label
            or attrs.get("id", "") in parser.label_for
            or attrs.get("aria-label")
            or attrs.get("aria-labelledby")
        )
        if not named:
            problems.append(f"unlabelled <{tag} name={attrs.get('name')!r}>")
    for tag, attrs, texts in parser.named:
        if not ("".join(texts).strip() or attrs.get("aria-label")):
            problems.append(f"<{tag}> without a name: {attrs}")
    for attrs in parser.images:
        if "alt" not in attrs:
            problems.append(f"<img> without alt: {attrs.get('src')}")
    return problems


async def test_every_control_on_the_working_pages_has_a_label(people, new_browser):
    agent, clerk, public = await people("agent"), await people("clerk"), await new_browser()
    resident_id = await flows.register(
        agent, "朱十七", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    photo = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "id.jpg", media.jpeg(), "image/jpeg")).text
    )
    case_id, code = await flows.file_pension(agent, resident_id, {"id_card": [photo]})
    pages = {
        "agent": [
            "/workbench/",
            "/workbench/residents/new",
            f"/workbench/residents/{resident_id}",
            f"/workbench/residents/{resident_id}/consent",
            f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
            f"/workbench/cases/{case_id}",
            f"/workbench/cases/{case_id}/receipt",
            "/workbench/cases",
        ],
        "clerk": [
            "/desk/",
            f"/cases/{case_id}",
            f"/residents/of-case/{case_id}",
            f"/materials/of-case/{case_id}",
        ],
        "public": ["/", "/login", f"/status/?code={code}&last4=0000"],
    }
    browsers = {"agent": agent, "clerk": clerk, "public": public}
    found = {}
    for who, urls in pages.items():
        for url in urls:
            response = await browsers[who].get(url)
            assert response.status_code == 200, (url, response.status_code)
            problems = audit(response.text)
            if problems:
                found[url] = problems
    assert not found, found


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa_contrast():
    css = CSS.read_text()
    colours = dict(re.findall(r"--([a-z-]+):(#[0-9a-fA-F]{3,6})", css))
    pairs = {
        "text on page": (colours["fg"], colours["bg"]),
        "text on card": (colours["fg"], colours["card"]),
        "muted on card": (colours["muted"], colours["card"]),
        "muted on page": (colours["muted"], colours["bg"]),
        "link on card": (colours["accent"], colours["card"]),
        "button label": (colours["accent-fg"], colours["accent"]),
        "error on card": (colours["bad"], colours["card"]),
        "error on alert": (colours["bad"], "#fff0ee"),
        "warning light text": (colours["warn"], "#fff8c5"),
        "success light text": (colours["ok"], "#dafbe1"),
        "header text": ("#ffffff", "#0b3d6e"),
    }
    weak = {
        name: round(contrast(*pair), 2) for name, pair in pairs.items() if contrast(*pair) < 4.5
    }
    assert not weak, weak


def test_the_audit_itself_finds_what_it_looks_for():
    page = (
        '<html lang="fr"><h1>a</h1><h1>b</h1><input name="x"><label>ok <input name="y"></label>'
        '<button></button><a href="/"><img src="i.png"></a></html>'
    )
    problems = audit(page)
    assert "html lang='fr'" in problems and "2 <h1> headings" in problems
    assert "unlabelled <input name='x'>" in problems
    assert not any("'y'" in p for p in problems)
    assert sum(p.startswith(("<button>", "<a>")) for p in problems) == 2
    assert "<img> without alt: i.png" in problems
