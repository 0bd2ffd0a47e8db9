"""Calibrating discovery: the raw signals of every query of the evaluation set, then a sweep of the knobs.

    .venv/bin/python bench/discovery_calibrate.py                 # SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/discovery_calibrate.py --signals var/pg.json
    .venv/bin/python bench/discovery_calibrate.py --sweep var/sqlite.json var/pg.json

First step (per database): loads ``tests/discovery``'s practices through the services into a throwaway
database and stores, for each query and input sent, every candidate's words score, cosine (e5 and
wordllama) and whether it shares a ticked focus area. Second step (no database): tries the combinations
of words share, meaning floor/ceiling, cutoff and fusion (scores or reciprocal ranks), and prints the best
by the floors (easy R@1 = 1, hard R@3 ≥ 0.9, at most 1 suggestion for a no-target query) on every
database at once, so one calibration serves both. Development only: the held-out paraphrases that judge
the result are not in the set, so prefer round values from a wide plateau to the single best point.
"""

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gather(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.evaluation_db import evaluation_database, setup_django

    setup_django()
    import numpy as np
    from django.db import connection

    from practices import discovery
    from practices.discovery import embeddings, vectors, words
    from tests.discovery.metrics import MODES

    with evaluation_database() as (evaluation, ids, user):
        wordllama = _wordllama()
        from practices.models import Practice

        texts = {p.pk: discovery.practice_text(p.title, p.summary) for p in Practice.objects.all()}
        wl_docs = {pk: wordllama.embed([t], norm=True)[0] for pk, t in texts.items()}
        index = vectors.index_for(discovery.PRACTICE)
        rows = []
        for query in evaluation.queries:
            for mode in MODES:
                summary = mode.summary(query)
                title, summary = discovery.text.clean(query.title, 300), discovery.text.clean(summary)
                qtext = discovery.query_text(title, summary)
                qv = embeddings.embed_query(qtext)
                near = dict(index.search(qv, 1000))
                # The query's own baseline: its median cosine over the whole catalogue (all of it here).
                median = float(np.median(list(near.values()))) if near else 0.0
                practices = discovery._practices(user)
                slugs = list(mode.focus_areas(query))
                found, _ = words.rank(practices, discovery._weighted_words(title, summary), also=list(near))
                areas = dict(
                    practices.filter(focus_areas__slug__in=slugs or ["-"]).values_list("pk", "focus_areas__slug")
                )
                wq = wordllama.embed([qtext], norm=True)[0]
                rows.append(
                    {
                        "query": query.label,
                        "difficulty": query.difficulty,
                        "mode": mode.name,
                        "target": ids.get(query.target) if query.target else None,
                        "median": median,
                        "candidates": [
                            {
                                "id": p.pk,
                                "w": p.word_score,
                                "cos": near.get(p.pk, 0.0),
                                "wl": float(np.dot(wl_docs[p.pk], wq)),
                                "area": p.pk in areas,
                            }
                            for p in found
                        ],
                    }
                )
        out.write_text(json.dumps({"vendor": connection.vendor, "rows": rows}))
        print(f"{connection.vendor}: {len(rows)} query rows written to {out}")


def _wordllama():
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True)


def evaluate(rows, *, share, floor, ceiling, cutoff, bonus, fusion, signal, mode):
    """recall figures for one setting over the stored signals."""
    stats = {"easy1": [], "easy3": [], "hard1": [], "hard3": [], "none": []}
    for row in rows:
        if row["mode"] != mode:
            continue
        scored = []
        for c in row["candidates"]:
            value = c["cos"] - row["median"] if signal == "rel" else c[signal]
            m = min(max((value - floor) / (ceiling - floor), 0.0), 1.0)
            s = share * c["w"] + (1 - share) * m + (bonus if c["area"] else 0.0)
            if s >= cutoff:
                scored.append((c["id"], s, c["w"], m))
        if fusion == "rrf":
            by_w = {r[0]: i for i, r in enumerate(sorted(scored, key=lambda r: -r[2]))}
            by_m = {r[0]: i for i, r in enumerate(sorted(scored, key=lambda r: -r[3]))}
            scored.sort(key=lambda r: -(1 / (60 + by_w[r[0]]) + 1 / (60 + by_m[r[0]])))
        else:
            scored.sort(key=lambda r: (-r[1], r[0]))
        shown = [r[0] for r in scored[:5]]
        if row["difficulty"] == "none":
            stats["none"].append(len(shown))
        else:
            d = row["difficulty"]
            stats[d + "1"].append(row["target"] in shown[:1])
            stats[d + "3"].append(row["target"] in shown[:3])
    return {k: sum(v) / len(v) if v else 0.0 for k, v in stats.items()}


FLOORS = {"cos": [0.74, 0.76, 0.78, 0.80], "wl": [0.0, 0.1, 0.2], "rel": [0.0, 0.01, 0.02, 0.03, 0.04]}
CEILINGS = {"cos": [0.88, 0.90, 0.92], "wl": [0.4, 0.5, 0.6], "rel": [0.08, 0.10, 0.12, 0.14]}


def sweep(files, mode, signal, fusion) -> None:
    """``mode`` "all": a setting's worst figure over every way the form is sent (one calibration must
    serve the title alone and the whole form alike)."""
    data = [json.loads(Path(f).read_text()) for f in files]
    modes = sorted({row["mode"] for row in data[0]["rows"]}) if mode == "all" else [mode]
    grid = itertools.product(
        [0.2, 0.3, 0.4, 0.5, 0.6],  # share
        FLOORS[signal],  # floor
        CEILINGS[signal],  # ceiling
        [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6],  # cutoff
        [0.0, 0.05],  # bonus
    )
    results = []
    for share, floor, ceiling, cutoff, bonus in grid:
        per_db = [
            evaluate(
                d["rows"],
                share=share,
                floor=floor,
                ceiling=ceiling,
                cutoff=cutoff,
                bonus=bonus,
                fusion=fusion,
                signal=signal,
                mode=one_mode,
            )
            for d in data
            for one_mode in modes
        ]
        worst = {k: (max if k == "none" else min)(r[k] for r in per_db) for k in per_db[0]}
        results.append(((share, floor, ceiling, cutoff, bonus), worst))
    ok = [r for r in results if r[1]["easy1"] == 1.0 and r[1]["none"] <= 1.0]
    ok.sort(key=lambda r: (-r[1]["hard3"], r[1]["none"], -r[1]["hard1"]))
    print(f"mode={mode} signal={signal} fusion={fusion}: {len(ok)} settings meet easy R@1 = 1 and none <= 1")
    for params, worst in ok[:12]:
        print("  " + _setting(params), {k: round(v, 3) for k, v in worst.items()})
    for params, worst in sorted(results, key=lambda r: -r[1]["hard3"])[:3]:
        print("  (unconstrained) " + _setting(params), {k: round(v, 3) for k, v in worst.items()})


def _setting(params) -> str:
    share, floor, ceiling, cutoff, bonus = params
    return f"share {share:.2f} floor {floor:.2f} ceiling {ceiling:.2f} cutoff {cutoff:.2f} bonus {bonus:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", metavar="FILE", help="gather the signals on DATABASE_URL into FILE")
    parser.add_argument("--sweep", nargs="+", metavar="FILE", help="sweep the knobs over these signal files")
    parser.add_argument("--mode", default="title+summary")
    parser.add_argument("--signal", default="cos", choices=["cos", "wl", "rel"], help="rel: minus the median")
    parser.add_argument("--fusion", default="scores", choices=["scores", "rrf"])
    args = parser.parse_args(argv)
    if args.signals:
        gather(Path(args.signals))
    if args.sweep:
        sweep(args.sweep, args.mode, args.signal, args.fusion)
    return 0


if __name__ == "__main__":
    sys.exit(main())
