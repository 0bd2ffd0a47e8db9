"""Times the Markdown renderer on hostile text: the pathological cases of the CommonMark suite and
of our plugins, at each Markdown field's maximum length, and at 1/8, 1/4, 1/2 and all of the longest.

    .venv/bin/python bench/markdown.py                  # every shape, best of 3
    .venv/bin/python bench/markdown.py --repeats 1 --old-sizes 500,1000,2000

Each shape fills the given length by repeating its pattern (or nesting it as deep as fits). Times are
``render_markdown`` as a save runs it (parse, render and sanitize), in CPU time of this process, best
of ``--repeats``. Linear growth shows as a ratio near 2 between the longest text and the one half its
length (the time at the longest length also includes the Python garbage collections its larger
heap brings: those make a ratio of 2.5 to 3 in some shapes, and time per character is back to that of
the shorter texts at twice the length). The last table times Python-Markdown (the
parser used before) on runs of ``[``: there the ratio is near 4, time growing with the square.
Never part of the test suite: tests do not assert timings.
"""

import argparse
import gc
import os
import platform
import sys
import time
from pathlib import Path

# The repository first, in place of bench/ (whose markdown.py would shadow Python-Markdown).
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from meetings.forms import AgendaItemForm, MeetingDetailsForm, MinutesForm, SeriesForm  # noqa: E402
from practices.forms import ADOPTION_TEXT_MAX_LENGTH, BODY_MAX_LENGTH, MarkdownPreviewForm  # noqa: E402
from practices.markdown import ABBREVIATIONS_MAX, render_markdown  # noqa: E402
from practices.models import Comment  # noqa: E402


def field_limits() -> dict[str, int]:
    """Each Markdown field's maximum length, as the forms and models enforce it."""
    return {
        "practice body": BODY_MAX_LENGTH,
        "live preview": MarkdownPreviewForm.base_fields["body"].max_length,
        "meeting minutes": MinutesForm.base_fields["minutes"].max_length,
        "comment": Comment._meta.get_field("body").max_length,
        "adoption notes / outcome": ADOPTION_TEXT_MAX_LENGTH,
        "meeting description": MeetingDetailsForm.base_fields["description"].max_length,
        "series description": SeriesForm._meta.model._meta.get_field("description").max_length,
        "agenda item notes": AgendaItemForm.base_fields["notes"].max_length,
    }


def repeat(unit: str):
    return lambda length: (unit * (length // len(unit) + 1))[:length]


def nest(opening: str, middle: str, closing: str):
    def make(length: int) -> str:
        n = max(1, (length - len(middle)) // (len(opening) + len(closing)))
        return opening * n + middle + closing * n

    return make


def deep_list(length: int) -> str:
    lines, size, depth = [], 0, 0
    while True:
        line = "  " * depth + "* a\n"
        if size + len(line) > length:
            return "".join(lines)
        lines.append(line)
        size += len(line)
        depth += 1


def backtick_runs(length: int) -> str:
    parts, size, n = [], 0, 1
    while size + n + 1 <= length:
        parts.append("e" + "`" * n)
        size += n + 1
        n += 1
    return "".join(parts)


def many_references(length: int) -> str:
    lines, size, i = [], 0, 0
    while True:
        line = f"[{i}]: u\n"
        if size + len(line) > length:
            return "".join(lines) + "\n[0] [1] [2]\n"
        lines.append(line)
        size += len(line)
        i += 1


def long_link_label(length: int) -> str:
    # A reference definition with a label of 999 characters (the most CommonMark allows), then uses.
    label = "a" * 999
    definition = f"[{label}]: /u\n\n"
    return definition + repeat(f"[{label}] ")(length - len(definition))


def abbreviations(length: int) -> str:
    # The most definitions we read, all starting with the same word, then that word over and over.
    definitions = "".join(f"*[AB{' x' * i}]: t\n" for i in range(ABBREVIATIONS_MAX)) + "\n"
    return definitions + repeat("AB x ")(length - len(definitions))


def wide_table(length: int) -> str:
    # Rows shorter than the header are completed with empty cells: "|" under 1/8 as many columns.
    columns = length // 8
    return "|a" * columns + "|\n" + "|-" * columns + "|\n" + repeat("|\n")(length - 4 * columns)


def many_tables(length: int) -> str:
    # Tables of 64 columns, each with 40 one-character rows: the most empty cells per character.
    table = "|a" * 64 + "|\n" + "|-" * 64 + "|\n" + "|\n" * 40 + "\n"
    return repeat(table)(length)


SHAPES = {
    # The CommonMark suite's test/pathological_tests.py.
    "nested strong emphasis `*a **a`": nest("*a **a ", "b", " a** a*"),
    "emphasis closers without openers `a_`": repeat("a_ "),
    "emphasis openers without closers `_a`": repeat("_a "),
    "openers and closers, multiple of 3": lambda n: "a**b" + repeat("c* ")(n - 4),
    "link closers without openers `a]`": repeat("a]"),
    "link openers without closers `[a`": repeat("[a"),
    "mismatched openers and closers `*a_`": repeat("*a_ "),
    "link openers and emphasis closers `[ a_`": repeat("[ a_"),
    "pattern `[ (](`": repeat("[ (]("),
    "nested brackets `[[[a]]]`": nest("[", "a", "]"),
    "runs of `[` only": repeat("["),
    "nested block quotes `> > >`": nest("> ", "a", ""),
    "deeply nested lists": deep_list,
    "backtick runs": backtick_runs,
    "unclosed links `[a](<b`": repeat("[a](<b"),
    "unclosed links `[a](b`": repeat("[a](b"),
    "unclosed inline HTML `<!--`": repeat("a <!-- "),
    "NUL characters": repeat("abc\u0000de\u0000"),
    "many reference definitions": many_references,
    "long link labels (999 chars)": long_link_label,
    "entity runs `&amp;`": repeat("&amp;"),
    "numeric entity runs `&#x1F600;`": repeat("&#x1F600;"),
    "unterminated entities `&#`": repeat("&#"),
    # Our plugins and rules.
    "footnote references `[^a]`": repeat("[^a]"),
    "footnote definitions": repeat("[^a]: b\n"),
    "definition lists": repeat("a\n: b\n"),
    "unclosed attributes after code ``` `a`{.a ```": repeat("`a`{.a "),
    "heading attributes `## a {`": repeat("## a {.b }\n"),
    "nested `<div markdown=1>`": nest('<div markdown="1">', "**a**", "</div>"),
    "runs of `<div markdown=1>` blocks": repeat('<div markdown="1">**a** [b</div>\n\n'),
    "attributes after a long link": lambda n: "[" + "*a" * (n // 4) + "](u)" + repeat("{a}")(n // 2 - 5),
    "abbreviations (50 on one word)": abbreviations,
    "wide table, short rows": wide_table,
    "many tables of short rows": many_tables,
    "table rows": lambda n: "|a|b|\n|-|-|\n" + repeat("|a|b|\n")(n - 12),
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def ratio(longer: float, shorter: float) -> str:
    return f"{longer / shorter:.1f}" if shorter else "–"


def best_time(text: str, repeats: int, render=render_markdown) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()  # each run starts with a clean heap, so a collection left over from the last does not count
        # CPU time of this process: other work on the machine does not count, as wall-clock time would.
        started = time.process_time()
        render(text)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--shape", action="append", help="only shapes whose name contains this")
    parser.add_argument("--old-sizes", default="1000,2000,4000", help="lengths for Python-Markdown's [ runs")
    args = parser.parse_args()

    limits = field_limits()
    longest = max(limits.values())
    other = sorted({v for v in limits.values() if v != longest}, reverse=True)
    sizes = [longest // 8, longest // 4, longest // 2, longest]
    machine = platform.processor() or platform.machine()
    print(f"Machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("Field maximums: " + ", ".join(f"{name} {limit:,}" for name, limit in limits.items()))
    print()
    header = ["shape", *(f"{s:,}" for s in sizes), "×2 length", "×8 length", *(f"at {s:,}" for s in other)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    worst = (0.0, "")
    for name, make in SHAPES.items():
        if args.shape and not any(part in name for part in args.shape):
            continue
        times = [best_time(make(size), args.repeats) for size in sizes]
        at_other = [best_time(make(size), args.repeats) for size in other]
        worst = max(worst, (times[-1], name))
        cells = [name, *map(ms, times), ratio(times[-1], times[-2]), ratio(times[-1], times[0]), *map(ms, at_other)]
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"Worst case at {longest:,} characters: {worst[0] * 1000:.0f} ms ({worst[1]}).")
    print("×2 and ×8: time at the longest length over time at 1/2 and 1/8 of it (linear: 2 and 8; square: 4 and 64).")

    import markdown as python_markdown

    old_sizes = [int(s) for s in args.old_sizes.split(",")]

    def old(text):
        return python_markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")

    print()
    print("Runs of `[`: Python-Markdown (extra, sane_lists; the parser used before) against markdown-it-py")
    print()
    print("| length | Python-Markdown | ×2 length | markdown-it-py + nh3 | ×2 length |")
    print("|---|---|---|---|---|")
    previous = None
    for size in old_sizes:
        text = "[" * size
        times = (best_time(text, 1, old), best_time(text, args.repeats))
        growth = [ratio(t, p) if previous else "" for t, p in zip(times, previous or times, strict=True)]
        print(f"| {size:,} | {ms(times[0])} | {growth[0]} | {times[1] * 1000:.1f} ms | {growth[1]} |")
        previous = times


if __name__ == "__main__":
    main()
