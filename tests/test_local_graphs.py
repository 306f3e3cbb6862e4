"""The pure builders: request -> spec -> ffmpeg argv, checked as data without running ffmpeg."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from providers.local.graphs import LOOKS, build_argv, filter_graph
from providers.local.palettes import PALETTES, choose_palette
from providers.local.spec import Encoding, InvalidRequest, SceneSpec, load_fonts, spec_of
from providers.types import Aspect, ClipRequest, SceneKind

TEXTS = {
    SceneKind.TEXT: "The best way to predict the future is to invent it.",
    SceneKind.STYLIZED: "Imagine a city that breathes with its people",
    SceneKind.DATA: "Revenue by year: 2021 $1.2M, 2022 $1.8M, 2023 $2.4M",
    SceneKind.LANDSCAPE: "Where the mountains meet the morning light",
    SceneKind.ACTION: "Faster than ever before",
    SceneKind.PRODUCT: "Meet the new Aurora lamp",
    SceneKind.TALKING_HEAD: "Dr. Maya Chen — Lead climate researcher",
    SceneKind.PEOPLE: "Volunteers rebuilt the park in just six weeks",
}


def request(kind: SceneKind = SceneKind.STYLIZED, **changes: object) -> ClipRequest:
    base = ClipRequest(
        prompt="A calm lake at dawn",
        duration=5.0,
        aspect=Aspect.LANDSCAPE,
        width=1920,
        height=1080,
        kind=kind,
        on_screen_text=TEXTS[kind],
        seed=7,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def spec(kind: SceneKind = SceneKind.STYLIZED, **changes: object) -> SceneSpec:
    return spec_of(request(kind, **changes), load_fonts())


def test_every_kind_has_a_look_and_palettes() -> None:
    assert set(LOOKS) == set(SceneKind) == set(PALETTES)


def test_argv_encodes_a_silent_faststart_h264_mp4() -> None:
    argv = build_argv(spec(), Path("/out/clip.mp4"))
    assert argv[0] == "-filter_complex"
    assert argv[2:4] == ["-map", "[out]"]
    pairs = dict(zip(argv[::2], argv[1::2], strict=False))
    assert argv[argv.index("-frames:v") + 1] == "150"
    assert argv[argv.index("-r") + 1] == "30"
    assert argv[argv.index("-c:v") + 1] == "libx264"
    assert argv[argv.index("-pix_fmt") + 1] == "yuv420p"
    assert argv[argv.index("-movflags") + 1] == "+faststart"
    assert "-an" in argv and pairs.get("-f") != "null"
    assert argv[-2:] == ["mp4", "file:/out/clip.mp4"]


def test_encoding_settings_reach_the_argv() -> None:
    encoding = Encoding(preset="veryfast", crf=20, x264_params="", threads=2)
    argv = build_argv(spec(), Path("/o.mp4"), encoding)
    assert argv[argv.index("-preset") + 1] == "veryfast"
    assert argv[argv.index("-crf") + 1] == "20"
    assert "-x264-params" not in argv
    assert argv[argv.index("-threads") + 1] == "2"


def test_frame_count_is_duration_times_fps_rounded() -> None:
    argv = build_argv(spec(duration=2.52, fps=24), Path("/o.mp4"))
    assert argv[argv.index("-frames:v") + 1] == str(round(2.52 * 24))


@pytest.mark.parametrize("kind", list(SceneKind))
def test_the_same_request_gives_the_same_argv(kind: SceneKind) -> None:
    assert build_argv(spec(kind), Path("/o.mp4")) == build_argv(spec(kind), Path("/o.mp4"))


@pytest.mark.parametrize("kind", list(SceneKind))
def test_the_seed_changes_the_picture(kind: SceneKind) -> None:
    graphs = {filter_graph(spec(kind, seed=seed)) for seed in range(6)}
    assert len(graphs) > 1


def test_palette_choice_is_deterministic_and_varied() -> None:
    assert choose_palette(3, SceneKind.TEXT) == choose_palette(3, SceneKind.TEXT)
    assert len({choose_palette(seed, SceneKind.STYLIZED).name for seed in range(40)}) > 1


def test_background_is_painted_small_and_moved_by_a_crop() -> None:
    graph = filter_graph(spec(SceneKind.STYLIZED))
    size = re.search(r"gradients=s=(\d+)x(\d+)", graph)
    assert size is not None and int(size.group(1)) < 1920 / 3
    assert "loop=loop=150:size=1" in graph
    assert re.search(r"crop=w=1920:h=1080:x=\(.*sin\(", graph)
    assert "geq=lum=" in graph  # shapes are painted once as sprites
    assert not re.search(r"geq=[^;]*;\[?\w*\]?[^;]*gradients", graph)


def test_landscape_paints_horizontal_bands_and_pans() -> None:
    graph = filter_graph(spec(SceneKind.LANDSCAPE))
    grad = re.search(r"gradients=[^,]*?x0=(\d+):y0=(\d+):x1=(\d+):y1=(\d+)", graph)
    assert grad is not None and grad.group(1) == grad.group(3)  # top-to-bottom stops
    assert re.search(r"crop=w=1920:h=1080:x=\d+\*t/5:", graph)  # steady pan


def test_action_has_streaks_racing_across() -> None:
    graph = filter_graph(spec(SceneKind.ACTION))
    assert len(re.findall(r"overlay=x=\(mod\(", graph)) >= 5
    assert "FASTER" in graph  # set in capitals


def test_data_with_numbers_grows_bars_with_values_and_labels() -> None:
    graph = filter_graph(spec(SceneKind.DATA))
    solids = re.findall(r"drawbox=x=0:y=(\d+):w=\d+:h=\d+:color=[^:]+:t=fill:replace=1", graph)
    bars = [y for y in solids if int(y) > 0]  # the axis grows sideways, from y=0
    assert len(bars) == 3
    for text in ("$1.2M", "$2.4M", "2021", "2023", "Revenue", "year"):
        assert f"text={text}:" in graph


def test_data_with_one_number_counts_it_up() -> None:
    graph = filter_graph(spec(SceneKind.DATA, on_screen_text="35% of viewers watch muted"))
    assert "expansion=normal" in graph and "eif" in graph
    assert "replace=1" in graph  # the progress meter


def test_data_without_numbers_falls_back_to_typography() -> None:
    graph = filter_graph(spec(SceneKind.DATA, on_screen_text="Why trust matters"))
    assert len(re.findall(r"replace=1", graph)) == 1  # the accent rule, no bars
    assert "text=Why:" in graph


def test_missing_on_screen_text_uses_the_shortened_prompt() -> None:
    s = spec(SceneKind.STYLIZED, on_screen_text="", prompt="A calm lake at dawn. Birds.")
    assert s.text == "A calm lake at dawn"


def test_ken_burns_reads_the_image_once_and_zooms(tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"not decoded by a pure builder")
    argv = build_argv(spec(SceneKind.DATA, reference_image=image), Path("/o.mp4"))
    assert argv[:2] == ["-i", f"file:{image.resolve()}"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.startswith("[0:v]trim=end_frame=1,scale=")
    assert "eval=frame" in graph and "gradients" not in graph


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration": 0}, "duration"),
        ({"duration": -1.0}, "duration"),
        ({"duration": float("nan")}, "duration"),
        ({"duration": 0.01}, "shorter than one frame"),
        ({"width": 1919}, "width"),
        ({"height": 0}, "height"),
        ({"fps": 0}, "fps"),
        ({"reference_image": Path("/nonexistent/image.png")}, "reference image"),
    ],
)
def test_bad_requests_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        spec(SceneKind.STYLIZED, **changes)


def _text_sprites(graph: str) -> list[tuple[float, float, int, int]]:
    """(x, y, width, height) of every drawn text sprite overlaid on the frame."""
    chains = re.split(r"(?<!\\);", graph)
    sprites = {}
    for chain in chains:
        label = re.search(r"\[(\w+)\]$", chain)
        canvas = re.search(r"color=c=black@0:s=(\d+)x(\d+)", chain)
        if label and canvas and "drawtext=" in chain:
            crop = re.search(r"crop=w=(\d+):h=(\d+)", chain)
            size = crop.groups() if crop else canvas.groups()
            sprites[label.group(1)] = (int(size[0]), int(size[1]))
    placed = []
    for chain in chains:
        hit = re.match(r"\[\w+\]\[(\w+)\]overlay=x=([^:]+):y=(-?[\d.]+)", chain)
        if hit and hit.group(1) in sprites:
            x = float(hit.group(2)) if re.fullmatch(r"-?[\d.]+", hit.group(2)) else 0.0
            placed.append((x, float(hit.group(3)), *sprites[hit.group(1)]))
    return placed


@pytest.mark.parametrize("kind", list(SceneKind))
@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920), (1080, 1080)])
def test_text_stays_in_the_upper_part_of_the_frame(
    kind: SceneKind, width: int, height: int
) -> None:
    graph = filter_graph(spec(kind, width=width, height=height))
    sprites = _text_sprites(graph)
    assert sprites, "every look sets its text"
    for x, y, w, h in sprites:
        # sprites keep room above for accents, so only where they end is checked
        assert 0 < y + h <= 0.72 * height, (x, y, w, h)
        assert x >= 0 and x + w <= width


def _separators(graph: str) -> int:
    """Chain and filter separators that ffmpeg's graph parser would act on."""
    count, escaped = 0, False
    for char in graph:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ";,[]":
            count += 1
    return count


def test_hostile_text_adds_no_graph_structure() -> None:
    hostile = spec(SceneKind.STYLIZED, on_screen_text='It\'s 100% "real": C:\\p [x], y; z 🚀')
    tame = spec(SceneKind.STYLIZED, on_screen_text="Its 1000 real Cp x y z")
    assert _separators(filter_graph(hostile)) == _separators(filter_graph(tame))
    assert "🚀" not in filter_graph(hostile)
