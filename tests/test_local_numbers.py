"""Number extraction for data scenes: values, labels, units, and what becomes a chart."""

from __future__ import annotations

import pytest

from providers.local.chart import counter_text
from providers.local.numbers import MAX_BARS, chart_points, extract_points, split_heading

# text -> [(label, value, display, unit), ...]
EXAMPLES = [
    (
        "Revenue: 2021 $1.2M, 2022 $1.8M, 2023 $2.4M",
        [
            ("2021", 1.2e6, "$1.2M", "$"),
            ("2022", 1.8e6, "$1.8M", "$"),
            ("2023", 2.4e6, "$2.4M", "$"),
        ],
    ),
    (
        "35% of users prefer video, 20% prefer text",
        [("Users prefer video", 35.0, "35%", "%"), ("Prefer text", 20.0, "20%", "%")],
    ),
    (
        "Apples 40, oranges 25 and pears 10",
        [("Apples", 40.0, "40", ""), ("Oranges", 25.0, "25", ""), ("Pears", 10.0, "10", "")],
    ),
    ("Market size: 4.5 billion", [("", 4.5e9, "4.5B", "")]),
    ("1,234,567 downloads", [("Downloads", 1234567.0, "1,234,567", "")]),
    ("COVID-19 cases fell 12.5 percent", [("COVID-19 cases", 12.5, "12.5%", "%")]),
    ("A 3x speedup vs 1.5x before", [("Speedup", 3.0, "3×", "x"), ("Before", 1.5, "1.5×", "x")]),
    ("Growth was 0.5 points", [("Growth", 0.5, "0.5", "")]),
    ("Europe €750 thousand", [("Europe", 750e3, "€750K", "€")]),
    (
        "Costs fell -5% while sales rose +12%",
        [("Costs", -5.0, "−5%", "%"), ("Sales", 12.0, "12%", "%")],
    ),
    ("Team of 12 in 3 cities", [("Team", 12.0, "12", ""), ("Cities", 3.0, "3", "")]),
    ("We came 1st, in 2024, on a 100km course", []),
    ("No numbers at all", []),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_extracts_values_labels_and_units(
    text: str, expected: list[tuple[str, float, str, str]]
) -> None:
    points = extract_points(text)
    assert [(p.label, p.value, p.display, p.unit) for p in points] == expected


def test_years_alone_are_labels_not_values() -> None:
    assert extract_points("From 1999 to 2024") == []


def test_chart_takes_the_largest_comparable_group() -> None:
    points = extract_points("Revenue $2M, $3M and $4M; margin 15%")
    assert [p.display for p in chart_points(points)] == ["$2M", "$3M", "$4M"]


def test_chart_refuses_negative_values() -> None:
    assert chart_points(extract_points("Q1 -5%, Q2 10%")) == []


def test_chart_is_capped() -> None:
    text = ", ".join(f"item {i}" for i in range(1, 12))
    assert len(chart_points(extract_points(text))) == MAX_BARS


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("Revenue by year: 2021 $1M, 2022 $2M", "Revenue by year"),
        ("Signups\n10 in May, 20 in June", "Signups"),
        ("35% of users prefer video", ""),
    ],
)
def test_heading_before_the_numbers(text: str, heading: str) -> None:
    assert split_heading(text)[0] == heading


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35%", "%{eif:trunc(round(35*E*1)/1):d}\\%"),
        ("$1.2M", "$%{eif:trunc(round(1.2*E*10)/10):d}.%{eif:mod(round(1.2*E*10),10):d:1}M"),
        ("1,234", None),  # grouped numbers are shown as written
        ("25000", None),  # too long to count up nicely
    ],
)
def test_counter_text(text: str, expected: str | None) -> None:
    assert counter_text(extract_points(text)[0], "E") == expected
