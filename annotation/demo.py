"""Demo clips and programs for `make run`: a few hundred short videos written with PyAV whose pictures
(scikit-image's sample photographs), titles and sound carry each demo category's signal the way real
uploads do: partly, noisily, and spread over the modalities, so the demo model lands where a real one
would (well above chance, well below 1.0).

- Descriptions and tags never name the category: descriptions come from a neutral pool, tags are
  "demo" and an upload batch.
- Titles name the category for some clips, only its branch ("Football") for others, and nothing at
  all ("VID_20240517_1432") for the rest.
- Pictures: a clip is one or two shots; each shot's photo comes from its category's own looks, from
  its top-level category's pool, or from any category, and every shot is panned, zoomed and tinted.
- Sound: a tone per level-2 category (shared by sibling leaves) with noise; some clips carry another
  branch's tone, some are silent, some have no audio track.
- Look-alikes: `CONFUSABLE` pairs (match and game highlights) often borrow each other's looks and titles.
- Out of set: `OUT_OF_SET` clips belong to none of the categories (unboxings, a talk in a car, a
  cartoon), with photos and sounds no category uses. `demo_expected_categories()` leaves them out;
  `demo_out_of_set_titles()` lists them.

The plan (`demo_clips()`) is a pure function of a fixed seed: every run writes the same clips.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.core.files import File
from django.utils.text import slugify

from core.demo import DEMO_TREE, demo_builder

SIZE = (240, 320)  # height, width
FPS = 8
SEED = 12
CLIPS_PER_LEAF = 23  # plus the program parts; 2/3 of the in-set clips get seed labels (classifier.demo)
OUT_OF_SET = 26
CONFUSABLE = (("Match highlights", "Game highlights"),)
CONFUSE_RATE = 0.35  # share of a confusable leaf's clips that borrow the other leaf's looks and titles

# title kinds of in-set clips (weights): names the leaf, names its level-2 branch, names nothing
TITLE_KINDS = {"leaf": 0.45, "branch": 0.2, "generic": 0.35}
# where each shot's photo comes from (weights): the leaf's own looks, its top-level pool, any category
SHOT_SOURCES = {"own": 0.65, "top": 0.2, "any": 0.15}
# the sound of in-set clips (weights): its branch's tone, another branch's tone, silence, no audio track
AUDIO_KINDS = {"branch": 0.55, "other": 0.1, "silent": 0.15, "none": 0.2}

BRANCH_TONES = {"Football": 440.0, "Basketball": 554.0, "Animals": 659.0, "Landscapes": 784.0, "Cooking": 880.0}
OUT_OF_SET_TONES = (250.0, 1000.0, 1175.0, 1320.0)


@dataclass(frozen=True)
class Leaf:
    looks: dict[str, float]  # picture recipe (annotation.demo_pictures) -> weight
    titles: tuple[str, ...]  # titles that name the category


LEAVES: dict[str, Leaf] = {
    "Match highlights": Leaf(
        {"pitch": 5, "court": 1, "grass": 1},
        ("Last-minute winner from the edge of the box", "进球集锦：补时绝杀", "Derby day: every goal",
         "Penalty shoot-out, full drama", "Free kick into the top corner", "Goal of the month nominees",
         "Cup final: all the goals", "Keeper saves of the season"),
    ),
    "Training drills": Leaf(
        {"cones": 5, "track": 2, "pitch": 1},
        ("Cone dribbling drill, under-12s", "Passing triangles warm-up", "足球训练：折返跑",
         "Sprint intervals before practice", "Rondo drill for midfielders", "Goalkeeper reaction drill",
         "First-touch exercises", "Pre-season fitness session"),
    ),
    "Game highlights": Leaf(
        {"court": 5, "pitch": 1, "tutorial": 1},
        ("Buzzer beater from half court", "Top ten dunks of the night", "篮球比赛精彩瞬间",
         "Triple-double night recap", "Overtime thriller, last two minutes", "Alley-oop of the year",
         "Playoff game 7 recap", "Blocks and steals of the week"),
    ),
    "Skills tutorials": Leaf(
        {"tutorial": 5, "court": 2, "track": 1},
        ("How to shoot a free throw", "Crossover dribble, step by step", "Layup footwork basics",
         "Shooting form: the elbow", "投篮姿势教学", "Euro step explained", "Ball handling for beginners",
         "Defensive slides: a lesson"),
    ),
    "Wildlife": Leaf(
        {"horse": 5, "grass": 2},
        ("Wild horses on the steppe", "野马奔腾", "Herd crossing at dawn", "Wolves in the snow",
         "A fox hunting mice", "Eagles over the canyon", "Elephants at the waterhole", "Migration season"),
    ),
    "Pets": Leaf(
        {"cat": 6, "grass": 1},
        ("Chelsea the cat wakes up", "猫咪的午后", "A cat watches the birds", "Puppy meets the kitten",
         "My dog learns a new trick", "Kitten vs cardboard box", "The hamster's obstacle course",
         "Grooming a long-haired cat"),
    ),
    "Space and sky": Leaf(
        {"space": 6, "sea": 1},
        ("Rocket launch at sunrise", "The moon through a backyard telescope", "深空星系",
         "Meteor shower timelapse", "Milky Way over the desert", "The space station passes overhead",
         "Solar eclipse, totality", "Northern lights tonight"),
    ),
    "Coast and sea": Leaf(
        {"sea": 6, "track": 1},
        ("Waves on a quiet beach", "海边日落", "Low tide on the coast", "Cliffs and crashing surf",
         "A lighthouse in the storm", "Sailing along the shore", "Rock pools at low water",
         "Harbour at first light"),
    ),
    "Recipes": Leaf(
        {"recipe": 3, "pizza": 3, "bread": 2},
        ("Slow-cooked stew in three steps", "家常红烧肉做法", "A quick weeknight risotto",
         "Homemade pizza dough", "Sourdough from scratch", "One-pan chicken dinner", "Dumplings, folded by hand",
         "Vegetable curry for four"),
    ),
    "Coffee and drinks": Leaf(
        {"coffee": 6, "bread": 1},
        ("Pour-over coffee at home", "拿铁拉花教程", "The perfect espresso shot", "Cold brew overnight",
         "Matcha latte at home", "Three summer lemonades", "French press, the right way",
         "Milk frothing without a machine"),
    ),
}  # fmt: skip

# titles that name only the level-2 branch (or a look-alike pair), not the leaf
BRANCH_TITLES = {
    "Football": ("Football Sunday", "Saturday at the pitch", "足球", "Our football club", "Five-a-side"),
    "Basketball": ("Hoops tonight", "Basketball", "篮球", "At the court", "Pickup game"),
    "Animals": ("Animals!", "Nature's creatures", "动物", "Who is this?", "Furry friends"),
    "Landscapes": ("Scenery", "Out in the open", "风景", "What a view", "Nature walk"),
    "Cooking": ("In the kitchen", "Cooking time", "厨房", "Food at home", "Tasty"),
}
HIGHLIGHTS_TITLES = ("Weekend highlights", "Best moments of the night", "精彩集锦", "Top plays", "The highlights")

GENERIC_TITLES = ("VID_2024{a:02d}{b:02d}_{c:04d}", "IMG_{c:04d}", "Untitled {c}", "clip {c}", "My video ({a})",
                  "upload {c}", "新视频 {c}", "Weekend {a}", "MOV{c:04d}", "Screen recording {c}")  # fmt: skip
DESCRIPTIONS = ("", "", "Uploaded from my phone.", "Batch upload from the archive.", "Re-upload in better quality.",
                "Shared with the team.", "No description.", "From last weekend.", "Sent in by a viewer.",
                "Part of the spring batch.", "手机上传", "Raw footage, unedited.", "Clip for review.",
                "Found this on an old drive.")  # fmt: skip
EXTRA_TAGS = ("hd", "mobile", "archive", "raw", "vertical-crop")

# (title, picture recipe): clips of none of the demo categories
OUT_OF_SET_TITLES = (
    ("Unboxing a new phone", "document"), ("Motorbike review: first ride", "motorbike"),
    ("Reading the morning news", "document"), ("Repairing a vintage clock", "clock"),
    ("My coin collection", "coins"), ("Cartoon intro, season 2", "cartoon"), ("Interview in the car", "talk"),
    ("Talking head: weekly update", "talk"), ("How to file your taxes", "document"),
    ("Spreadsheet tips for beginners", "document"), ("开箱新手机", "document"), ("Podcast episode 12", "talk"),
    ("Faces of the city", "faces"), ("Product launch keynote", "talk"), ("Animated logo reveal", "cartoon"),
    ("Garage tour: three motorbikes", "motorbike"), ("Street portraits", "faces"), ("钟表修理", "clock"),
)  # fmt: skip

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


@dataclass(frozen=True)
class DemoClip:
    """One planned demo clip.

    Attributes:
        leaf: the demo category it was made for; None for a clip of none of them (out of set).
        title_kind: "leaf", "branch" (names the level-2 category or a look-alike pair), "generic",
            "program" (a program part, named) or "out-of-set".
        shots: [(picture recipe, seed)], one or two shots cut evenly.
        tone: (Hz, Hz) of the two channels; None for no audio track.
        tone_level: amplitude of the tone (0: a silent track, noise only).
    """

    title: str
    leaf: str | None
    title_kind: str
    description: str
    tags: tuple[str, ...]
    shots: tuple[tuple[str, int], ...]
    tone: tuple[float, float] | None
    tone_level: float
    noise_level: float
    seconds: float
    seed: int
    program: str | None = None
    start: float = 0.0


def _parents() -> dict[str, tuple[str, str]]:
    """leaf name -> (top-level name, level-2 name), from the demo tree."""
    parents = {}
    for top, (_, _, _, level2) in DEMO_TREE.items():
        for branch, (_, _, _, leaves) in level2.items():
            for leaf in leaves:
                parents[leaf] = (top, branch)
    return parents


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


_AGAIN = (" (part 2)", " #3", " - full version", " (re-upload)", " 2024", " (HD)", " - take 2")


def _unique(title: str, used: set[str]) -> str:
    """The title, or the title with a suffix as uploads repeat names, not used before."""
    candidates = [title, *(title + s for s in _AGAIN)]
    candidate = next((c for c in candidates if c not in used), None)
    k = 2
    while candidate is None or candidate in used:
        candidate, k = f"{title} ({k})", k + 1
    used.add(candidate)
    return candidate


@cache
def demo_clips(per_leaf: int = CLIPS_PER_LEAF, out_of_set: int = OUT_OF_SET) -> tuple[DemoClip, ...]:
    """The demo clips to write, in upload order (shuffled, so categories interleave). Deterministic."""
    rng = np.random.default_rng(SEED)
    parents = _parents()
    partner = {a: b for a, b in CONFUSABLE} | {b: a for a, b in CONFUSABLE}
    top_pool: dict[str, dict[str, float]] = {}
    for leaf, spec in LEAVES.items():
        pool = top_pool.setdefault(parents[leaf][0], {})
        pool.update({recipe: 1.0 for recipe in spec.looks})
    from .demo_pictures import RECIPES

    used: set[str] = set()
    clips: list[DemoClip] = []

    def common(seed: int) -> dict:
        tags = ["demo", f"upload-batch-{int(rng.integers(1, 7))}"]
        if rng.random() < 0.3:
            tags.append(str(rng.choice(EXTRA_TAGS)))
        return dict(
            description=str(rng.choice(DESCRIPTIONS)),
            tags=tuple(tags),
            noise_level=round(float(rng.uniform(0.02, 0.12)), 3),
            seconds=float(rng.choice((2.0, 3.0, 4.0))),
            seed=seed,
        )

    def generic() -> str:
        template = str(rng.choice(GENERIC_TITLES))
        a, b, c = int(rng.integers(1, 13)), int(rng.integers(1, 29)), int(rng.integers(1, 10000))
        return _unique(template.format(a=a, b=b, c=c), used)

    def in_set(leaf: str, seed: int, title: str | None = None, program: str | None = None, start: float = 0.0):
        top, branch = parents[leaf]
        borrowed = leaf in partner and rng.random() < CONFUSE_RATE
        looks = LEAVES[partner[leaf]].looks if borrowed else LEAVES[leaf].looks
        shots = []
        for k in range(1 if program or rng.random() < 0.6 else 2):
            source = "own" if program else _pick(rng, SHOT_SOURCES)
            pool = looks if source == "own" else top_pool[top] if source == "top" else dict.fromkeys(RECIPES, 1.0)
            shots.append((_pick(rng, pool), seed * 3 + k))
        audio = "branch" if program else _pick(rng, AUDIO_KINDS)
        other = [b for b in BRANCH_TONES if b != branch]
        hz = {"branch": BRANCH_TONES[branch], "other": BRANCH_TONES[str(rng.choice(other))]}.get(audio, 500.0)
        hz *= float(rng.uniform(0.98, 1.02))
        if title is None:
            kind = _pick(rng, TITLE_KINDS)
            if kind == "leaf":
                names = LEAVES[partner[leaf]].titles if borrowed else LEAVES[leaf].titles
                title = _unique(str(rng.choice(names)), used)
            elif kind == "branch":
                names = HIGHLIGHTS_TITLES if leaf in partner and rng.random() < 0.5 else BRANCH_TITLES[branch]
                title = _unique(str(rng.choice(names)), used)
            else:
                title = generic()
        else:
            kind, title = "program", _unique(title, used)
        return DemoClip(
            title=title,
            leaf=leaf,
            title_kind=kind,
            shots=tuple(shots),
            tone=None if audio == "none" else (round(hz, 1), round(float(rng.uniform(200, 1200)), 1)),
            tone_level=0.0 if audio == "silent" else round(float(rng.uniform(0.1, 0.35)), 3),
            program=program,
            start=start,
            **common(seed),
        )

    seed = 0
    for leaf in LEAVES:
        for _ in range(per_leaf):
            clips.append(in_set(leaf, seed))
            seed += 1
    for program_title, (_, _, _, parts) in PROGRAMS.items():
        for part, (leaf, title) in enumerate(parts):
            clips.append(in_set(leaf, seed, title=title, program=program_title, start=part * 4.0))
            seed += 1
    for k in range(out_of_set):
        name, recipe = OUT_OF_SET_TITLES[k % len(OUT_OF_SET_TITLES)]
        title = _unique(name, used) if k < len(OUT_OF_SET_TITLES) else generic()
        if k >= len(OUT_OF_SET_TITLES):
            recipe = str(rng.choice([r for _, r in OUT_OF_SET_TITLES]))
        audio = _pick(rng, {"tone": 0.6, "silent": 0.2, "none": 0.2})
        tone = (float(rng.choice(OUT_OF_SET_TONES)), round(float(rng.uniform(200, 1200)), 1))
        clips.append(
            DemoClip(
                title=title,
                leaf=None,
                title_kind="out-of-set",
                shots=((recipe, seed * 3),),
                tone=None if audio == "none" else tone,
                tone_level=0.0 if audio == "silent" else 0.25,
                **common(seed),
            )
        )
        seed += 1
    order = rng.permutation(len(clips))
    return tuple(clips[i] for i in order)


def demo_clips_configured() -> tuple[DemoClip, ...]:
    """The demo clips at the configured size (CLIPCAT_DEMO_CLIPS_PER_LEAF, CLIPCAT_DEMO_OUT_OF_SET): tests
    use a small demo, `make run` the full one."""
    from django.conf import settings

    return demo_clips(settings.CLIPCAT_DEMO_CLIPS_PER_LEAF, settings.CLIPCAT_DEMO_OUT_OF_SET)


def demo_expected_categories() -> dict[str, str]:
    """Demo clip title -> the code of the category it was made for (codes as the demo taxonomy makes
    them). Out-of-set clips are not in it (see `demo_out_of_set_titles`)."""
    return {c.title: slugify(c.leaf) for c in demo_clips_configured() if c.leaf is not None}


def demo_out_of_set_titles() -> list[str]:
    """Titles of the demo clips that belong to none of the demo categories."""
    return [c.title for c in demo_clips_configured() if c.leaf is None]


def _write(folder: Path, clip: DemoClip) -> Path:
    from annotation.media.synth import write_video

    from .demo_pictures import picture_for

    path = folder / f"demo-{clip.seed:04d}.mp4"
    return write_video(
        path,
        seconds=clip.seconds,
        width=SIZE[1],
        height=SIZE[0],
        fps=FPS,
        audio_channels=0 if clip.tone is None else 2,
        audio_rate=16000,
        tone_hz=clip.tone or 440.0,
        tone_level=(clip.tone_level, clip.tone_level * 0.5),
        noise_level=clip.noise_level,
        noise_seed=clip.seed,
        picture=picture_for(list(clip.shots), SIZE, clip.seconds, clip.start),
    )


@demo_builder
def _clips(stdout) -> None:
    from django.conf import settings

    from annotation import services
    from annotation.models import Clip, Program

    inline = settings.CLIPCAT_PROCESS_INLINE  # make_demo_data --sync: process here, not on the queue
    made = 0
    existing = set(Clip.objects.filter(source__startswith="demo").values_list("title", flat=True))
    with tempfile.TemporaryDirectory(prefix="clipcat-demo-") as tmp:
        folder = Path(tmp)
        for clip in demo_clips_configured():
            if clip.title in existing:
                continue
            program = None
            if clip.program:
                kind, year, description, _ = PROGRAMS[clip.program]
                program = Program.objects.filter(title=clip.program).first() or services.program_create(
                    title=clip.program, kind=kind, year=year, description=description
                )
            path = _write(folder, clip)
            end = clip.start + clip.seconds
            source = f"demo: cut from {clip.program} at {clip.start:.0f}-{end:.0f} s" if program else "demo"
            with open(path, "rb") as handle:
                created = services.clip_create(
                    file=File(handle, name=path.name),
                    title=clip.title,
                    description=clip.description,
                    tags=list(clip.tags),
                    program=program,
                    source=source,
                    enqueue=not inline,
                )
            path.unlink()
            if inline:
                services.clip_process(clip_id=created.pk)
            made += 1
    if made:
        state = "processed" if inline else "queued for processing"
        out = sum(c.leaf is None for c in demo_clips_configured())
        stdout.write(
            f"demo clips: {made} written and {state} ({out} of none of the categories), "
            f"{Program.objects.count()} programs"
        )
