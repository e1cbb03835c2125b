"""Demo clips and programs for `make run`: a few dozen short videos written with PyAV whose pictures
(scikit-image's sample photographs, moving), titles and sound (a tone per top-level category, another
per leaf) carry each demo category's signal, so the model of a later issue has something to learn.

`demo_expected_categories()` says which category each demo clip was made for.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files import File
from django.utils.text import slugify

from core.demo import DEMO_TREE, demo_builder

SIZE = (240, 320)  # height, width
FPS = 15
TOP_TONES = {"Sports": 440.0, "Nature": 660.0, "Food": 880.0}

# leaf name -> (picture recipe, three titles)
LEAVES: dict[str, tuple[str, tuple[str, str, str]]] = {
    "Match highlights": (
        "pitch",
        ("Last-minute winner from the edge of the box", "进球集锦：补时绝杀", "Derby day: every goal"),
    ),
    "Training drills": ("cones", ("Cone dribbling drill, under-12s", "Passing triangles warm-up", "足球训练：折返跑")),
    "Game highlights": ("court", ("Buzzer beater from half court", "Top ten dunks of the night", "篮球比赛精彩瞬间")),
    "Skills tutorials": (
        "tutorial",
        ("How to shoot a free throw", "Crossover dribble, step by step", "Layup footwork basics"),
    ),
    "Wildlife": ("horse", ("Wild horses on the steppe", "野马奔腾", "Herd crossing at dawn")),
    "Pets": ("cat", ("Chelsea the cat wakes up", "猫咪的午后", "A cat watches the birds")),
    "Space and sky": ("space", ("Rocket launch at sunrise", "The moon through a backyard telescope", "深空星系")),
    "Coast and sea": ("sea", ("Waves on a quiet beach", "海边日落", "Low tide on the coast")),
    "Recipes": ("recipe", ("Slow-cooked stew in three steps", "家常红烧肉做法", "A quick weeknight risotto")),
    "Coffee and drinks": ("coffee", ("Pour-over coffee at home", "拿铁拉花教程", "The perfect espresso shot")),
}

# program title -> (kind, year, description, [(leaf, part title)])
PROGRAMS = {
    "Planet Close-up": (
        "series",
        2023,
        "A nature documentary series: animals, coasts and the sky.",
        [("Wildlife", "Planet Close-up: the herd"), ("Coast and sea", "Planet Close-up: tides"),
         ("Space and sky", "Planet Close-up: night sky")],
    ),
    "Kitchen Nights": (
        "show",
        2024,
        "A late-night cooking show.",
        [("Recipes", "Kitchen Nights: the stew"), ("Coffee and drinks", "Kitchen Nights: espresso"),
         ("Recipes", "Kitchen Nights：饺子")],
    ),
}  # fmt: skip


def _leaf_parents() -> dict[str, str]:
    """leaf name -> top-level name, from the demo tree."""
    parents = {}
    for top, (_, _, _, level2) in DEMO_TREE.items():
        for _, (_, _, _, leaves) in level2.items():
            for leaf in leaves:
                parents[leaf] = top
    return parents


def demo_expected_categories() -> dict[str, str]:
    """Demo clip title -> the code of the category it was made for (codes as the demo taxonomy makes them)."""
    expected = {title: slugify(leaf) for leaf, (_, titles) in LEAVES.items() for title in titles}
    for _, _, _, parts in PROGRAMS.values():
        expected.update({title: slugify(leaf) for leaf, title in parts})
    return expected


def _write(folder: Path, leaf: str, title: str, variant: int, seconds: float, start: float = 0.0) -> Path:
    from annotation.media.synth import write_video

    from .demo_pictures import picture_for

    top = _leaf_parents()[leaf]
    leaf_index = list(LEAVES).index(leaf)
    path = folder / f"{slugify(title) or abs(hash(title))}-{variant}.mp4"
    return write_video(
        path,
        seconds=seconds,
        width=SIZE[1],
        height=SIZE[0],
        fps=FPS,
        audio_channels=2,
        audio_rate=44100,
        tone_hz=(TOP_TONES[top], 250.0 + 60.0 * leaf_index),
        picture=picture_for(LEAVES[leaf][0], SIZE, variant, start),
    )


@demo_builder
def _clips(stdout) -> None:
    from django.conf import settings

    from annotation import services
    from annotation.models import Clip, Program

    inline = settings.CLIPCAT_PROCESS_INLINE  # make_demo_data --sync: process here, not on the queue
    made = 0
    with tempfile.TemporaryDirectory(prefix="clipcat-demo-") as tmp:
        folder = Path(tmp)
        jobs = []  # (leaf, title, variant, seconds, start, program title)
        for leaf, (_, titles) in LEAVES.items():
            for variant, title in enumerate(titles):
                jobs.append((leaf, title, variant, 4.0 + variant, 0.0, None))
        for program_title, (_, _, _, parts) in PROGRAMS.items():
            for part, (leaf, title) in enumerate(parts):
                jobs.append((leaf, title, 10 + part, 5.0, part * 5.0, program_title))
        for leaf, title, variant, seconds, start, program_title in jobs:
            if Clip.objects.filter(title=title, source__startswith="demo").exists():
                continue
            program = None
            if program_title:
                kind, year, description, _ = PROGRAMS[program_title]
                program = Program.objects.filter(title=program_title).first() or services.program_create(
                    title=program_title, kind=kind, year=year, description=description
                )
            path = _write(folder, leaf, title, variant, seconds, start)
            source = f"demo: cut from {program_title} at {start:.0f}-{start + seconds:.0f} s" if program else "demo"
            with open(path, "rb") as handle:
                clip = services.clip_create(
                    file=File(handle, name=path.name),
                    title=title,
                    description=f"Demo clip for {leaf}.",
                    tags=["demo", slugify(leaf)],
                    program=program,
                    source=source,
                    enqueue=not inline,
                )
            if inline:
                services.clip_process(clip_id=clip.pk)
            made += 1
    if made:
        state = "processed" if inline else "queued for processing"
        stdout.write(f"demo clips: {made} written and {state}, {Program.objects.count()} programs")
