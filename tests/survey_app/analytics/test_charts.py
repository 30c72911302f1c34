"""The SVG charts without HTTP: well-formed, script- and style-free, gaps for hidden points, links, PNG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from survey_app.analytics.charts import BAND, TONES, Bar, Point, bar_chart, line_chart, svg_to_png

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    # Our CSP forbids inline script and style: presentation attributes only.
    assert not root.findall(f".//{SVG}script") and not root.findall(f".//{SVG}style")
    assert all("style" not in el.attrib and not any(a.startswith("on") for a in el.attrib) for el in root.iter())
    return root


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == name]


def test_line_chart_with_band_gap_target_and_links() -> None:
    points = [Point("2025-01", 10, 5, 15, href="/c?m=1"), Point("2025-02", 20, 12, 28),
              Point("2025-03", None, suppressed=True), Point("2025-04", 30, 25, 35), Point("2025-05", 40, 33, 47)]
    root = parse(line_chart("NPS <by month>", points, domain=(-100, 100), target=35, target_label="Goal & more",
                            desc="NPS with 95% intervals"))
    assert root.find(f"{SVG}title").text == "NPS <by month>"  # type: ignore[union-attr]
    # The hidden month breaks the line and its band into two runs, and says it is hidden.
    assert len(by_class(root, "series")) == 2 and len(by_class(root, "band")) == 2
    assert all(b.get("fill") == BAND for b in by_class(root, "band"))
    assert "hidden" in [t.text for t in root.iter(f"{SVG}text")]
    dots = by_class(root, "point")
    assert len(dots) == 4
    tips = [d.find(f"{SVG}title").text for d in dots]  # type: ignore[union-attr]
    assert tips[0] == "2025-01: 10 (95% CI 5 to 15)"
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == link.get(XLINK) == "/c?m=1" and link.find(f"{SVG}circle") is not None
    assert len(by_class(root, "target")) == 1
    assert any((t.text or "").startswith("Goal & more: 35") for t in root.iter(f"{SVG}text"))


def test_values_outside_a_fixed_domain_stay_inside_the_plot() -> None:
    root = parse(line_chart("CSAT", [Point("a", 150), Point("b", -20)], domain=(0, 100)))
    ys = [float(d.get("cy", "nan")) for d in by_class(root, "point")]
    assert ys == [36.0, 252.0]  # the top and the bottom of the plot area (TOP and HEIGHT - BOTTOM)


def test_an_empty_or_flat_series_still_draws() -> None:
    assert not by_class(parse(line_chart("Nothing yet", [])), "point")
    flat = parse(line_chart("Flat", [Point("a", 3), Point("b", 3)]))
    assert len(by_class(flat, "series")) == 1


def test_bar_chart_tones_negative_values_and_hidden_bars() -> None:
    bars = [Bar("Delivery", -0.4, tone="negative", href="/t/delivery", note="(n=12)"),
            Bar("Staff", 0.6, tone="positive"), Bar("Tiny team", None, suppressed=True), Bar("New site", None)]
    root = parse(bar_chart("Sentiment by topic", bars, domain=(-1, 1)))
    rects = by_class(root, "bar")
    assert [r.get("fill") for r in rects] == [TONES["negative"], TONES["positive"]]
    neg, pos = rects
    # Both start at the zero line: the negative bar ends there, the positive one starts there.
    assert float(neg.get("x", 0)) + float(neg.get("width", 0)) == float(pos.get("x", 0))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "hidden to protect a small group" in texts and "no data" in texts
    (link,) = root.iter(f"{SVG}a")
    assert link.get("aria-label") == "Delivery: -0.40 (n=12)"


def test_bar_labels_fit_left_of_the_bars() -> None:
    """A label is drawn whole and right-aligned at the label column's edge, which sits far enough right
    for it (the fixed 170 px column cut "manual handling & ergonomics" at the chart's left edge); a label
    too long for any column is cut with an ellipsis."""
    long = "x" * 80
    bars = [Bar("manual handling & ergonomics", 0.2), Bar("PPE", -0.1), Bar(long, 0.1)]
    texts = [t for t in parse(bar_chart("Topics", bars, domain=(-1, 1))).iter(f"{SVG}text")
             if t.get("text-anchor") == "end" and t.get("font-size") == "12"]
    drawn = [t.text or "" for t in texts]
    assert drawn[:2] == ["manual handling & ergonomics", "PPE"]
    assert drawn[2].endswith("…") and len(drawn[2]) < len(long)
    for t in texts:  # about 7 px a character of the 12 px font, from the right-aligned end leftwards
        assert float(t.get("x", 0)) - 7 * len(t.text or "") >= 0


def test_png_from_the_same_svg() -> None:
    png = svg_to_png(line_chart("NPS", [Point("a", 1), Point("b", 2)]), scale=1.0)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
