# ruff: noqa: E501 - prose fixture text, wrapped by hand
"""The long fixture article's text: six sections under headings, about 800 words."""

from __future__ import annotations

TITLE = "How Tides Shape a Working Harbour"
AUTHOR = "Ana Ribeiro"

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "",
        [
            "Twice a day the water in Porto Velho harbour rises by more than three metres and then "
            "drains away again, leaving fishing boats resting on the mud. Nobody in the harbour "
            "finds this strange, because their whole working day is arranged around it. This "
            "article follows the water from the moon to the quay and explains why the timing is "
            "so reliable.",
            "The harbour master, Rui Costa, has worked the same stretch of coast for twenty-two "
            "years. He keeps a printed tide table on his desk even though every phone now carries "
            "one, because the printed table has never run out of battery during a storm.",
        ],
    ),
    (
        "The pull of the moon",
        [
            "The moon pulls on everything on the earth, but it pulls harder on the things that are "
            "closer to it. The ocean on the side of the earth that faces the moon is pulled a "
            "little more strongly than the solid earth beneath it, so the water heaps up into a "
            "gentle bulge.",
            "That bulge is enormous in area and very shallow in height. In the open ocean it "
            "raises the sea surface by well under a metre, which is why sailors far from land "
            "hardly notice the tide at all.",
            "As the earth turns, a given coastline is carried underneath the bulge and then out "
            "of it again. The rising and falling water that a harbour sees is really the coast "
            "moving through a slowly shifting shape of the sea.",
        ],
    ),
    (
        "Why there are two high tides",
        [
            "If the moon only pulled the near side of the ocean, each harbour would get one high "
            "tide a day. Instead most coasts get two, about twelve hours and twenty-five minutes "
            "apart, and the reason surprises many people.",
            "On the far side of the earth the ocean is pulled less strongly than the earth itself. "
            "The solid planet is drawn slightly away from that water, which is left behind as a "
            "second bulge facing away from the moon.",
            "Two bulges on opposite sides of the planet mean two high tides and two low tides for "
            "every turn of the earth. The extra twenty-five minutes each half day come from the "
            "moon moving along its own orbit while the earth spins.",
        ],
    ),
    (
        "Spring tides and neap tides",
        [
            "The sun pulls on the oceans too, with a little under half the tidal force of the "
            "moon. When the sun and the moon line up, at new moon and at full moon, their pulls "
            "add together and the tides reach their greatest range.",
            "These are called spring tides, a name that has nothing to do with the season. In "
            "Porto Velho a spring tide can lift the water by 3.8 metres between low and high, "
            "enough to float the largest trawler over the harbour bar.",
            "A week later, when the sun and the moon pull at right angles, the bulges partly cancel "
            "out. These neap tides have the smallest range, and in the harbour the difference "
            "between low and high water can shrink to about 1.4 metres.",
        ],
    ),
    (
        "Harbours live by the tables",
        [
            "Because the motion of the moon and the sun is known so precisely, tide tables can be "
            "printed a year in advance and still be right to within minutes. The hard part is not "
            "the astronomy but the shape of each coast.",
            "Bays, river mouths and shallow shelves slow the tide down and change its height. Each "
            "harbour therefore needs years of its own measurements before its table can be "
            "trusted, and the local gauge in Porto Velho has been recording since 1911.",
            "Skippers plan departures around the table. A loaded boat leaving two hours after high "
            "water can run aground on the bar, so the fleet leaves together on the rising tide and "
            "returns before the water falls away.",
        ],
    ),
    (
        "Tides as a source of energy",
        [
            "Moving that much water takes a great deal of energy, and engineers have long tried to "
            "capture some of it. A tidal barrage holds water behind a dam at high tide and lets it "
            "out through turbines as the tide falls.",
            "The oldest large example, on the Rance estuary in France, has produced electricity "
            "since 1966 with an installed capacity of 240 megawatts. Newer projects place turbines "
            "directly in fast tidal currents instead of building a dam.",
            "Tidal power has one great advantage over wind and sunshine: it is predictable decades "
            "ahead. Its drawbacks are cost and the effect that barrages have on mudflats, fish and "
            "the birds that feed there.",
        ],
    ),
    (
        "What changes next",
        [
            "Rising sea levels do not change the rhythm of the tides, but they raise the whole "
            "pattern. A spring tide that once stopped short of the quay may now spill over it, "
            "especially when a storm pushes extra water toward the coast.",
            "Porto Velho is raising its quay wall by forty centimetres over the next five years. "
            "Rui Costa says the tide table will stay on his desk, because the water still keeps "
            "its appointments, even if it now arrives a little higher each time.",
        ],
    ),
]


def paragraphs() -> list[tuple[str, str]]:
    """(section, text) for every paragraph, in order."""
    return [(section, text) for section, texts in SECTIONS for text in texts]
