"""User-written Markdown to safe HTML. The only way user text reaches a template unescaped.

The parser is markdown-it-py (CommonMark): its time grows linearly with the length of the text for
any input, including the pathological cases of the CommonMark suite (bracket and emphasis runs, deep
lists and quotes, long link labels), where Python-Markdown grew with the square of the length. nh3
sanitizes what it makes.

What members could write with Python-Markdown's ``extra`` and ``sane_lists`` is kept: tables,
footnotes, definition lists, fenced code, attribute lists (after links, images and code spans, on
the line before a block, or after a heading or paragraph as before), abbreviations, Markdown inside HTML
blocks (``markdown="1"`` as before, or CommonMark's blank lines around it) and lists that do not mix
kinds and keep their start number. ``~~strikethrough~~`` comes with CommonMark's tables extension set.

Rendering happens when a member saves (``RendersMarkdown``) and by ``manage.py render_markdown``;
pages read the stored HTML. The live preview renders text no longer than the field's maximum.
"""

import hashlib
import importlib
import re
from collections.abc import Iterable

import nh3
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "li": {"id"},
    "ol": {"start"},
}
# The only ids a text may carry: its footnotes' anchors, named after a hash of the text (so a body and
# its comments on one page do not collide) and never the name of anything on our pages.
FOOTNOTE_ID = re.compile(r"fn(?:ref)?-[0-9a-f]{10}-\d{1,5}(?::\d{1,5})?")

# Attribute lists are short; reading at most this many characters keeps an unclosed "{" from making
# each attempt scan to the end of the text.
ATTRS_MAX_LENGTH = 200
# Abbreviations: at most this many definitions, each term at most this long (bounds the work per word).
ABBREVIATIONS_MAX = 50
ABBREVIATION_TERM_MAX_LENGTH = 50


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "start":
        return value if value.isdigit() and len(value) <= 9 else None
    return value


# -- attribute lists ------------------------------------------------------------------------------
def _parse_attrs(src: str, pos: int) -> tuple[int, dict[str, str]] | None:
    """Attributes in ``{…}`` (Python-Markdown's ``{: …}`` too) starting at ``pos``: (end, attrs) or None."""
    if not src.startswith("{", pos):
        return None
    window = src[pos : pos + ATTRS_MAX_LENGTH]
    colon = window.startswith("{:")
    if colon:
        window = "{" + window[2:]
    try:
        length, attrs = parse_attrs(window)
    except ParseError:
        return None
    return pos + length + 1 + int(colon), attrs


def _opening_token(tokens: list[Token], index: int) -> Token | None:
    level = 0
    while index >= 0:
        level += tokens[index].nesting
        if level == 0:
            return tokens[index]
        index -= 1
    return None


def _apply_attrs(token: Token, attrs: dict[str, str]) -> None:
    for name, value in attrs.items():
        if name.lower().startswith("on"):
            continue  # nh3 drops them too; never carried this far
        token.attrSet(name, value)


def _inline_attrs_rule(state: StateInline, silent: bool) -> bool:
    """``[link](url){title="…"}``, ``![image](src){…}``, `` `code`{.lang} ``: one list per element (a
    second would walk back over the link's content again, and ``{a}{a}{a}…`` would make that quadratic)."""
    if state.pending or not state.tokens:
        return False
    last = state.tokens[-1]
    if last.type not in ("image", "code_inline", "link_close") or last.meta.get("has_attrs"):
        return False
    found = _parse_attrs(state.src, state.pos)
    if found is None:
        return False
    end, attrs = found
    target = _opening_token(state.tokens, len(state.tokens) - 1)
    if target is None:
        return False
    if not silent:
        _apply_attrs(target, attrs)
        last.meta["has_attrs"] = True
    state.pos = end
    return True


def _trailing_attrs_rule(state: StateCore) -> None:
    """Python-Markdown's ``## Heading {: #id }``, and ``{: .class }`` on the last line of a paragraph:
    the braces are attributes of the block, not text."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type not in ("heading_open", "paragraph_open"):
            continue
        content = token.content.rstrip()
        start = content.rfind("{")
        if start <= 0 or not content.endswith("}") or len(content) - start > ATTRS_MAX_LENGTH:
            continue
        if tokens[index - 1].type == "paragraph_open" and content[start - 1] != "\n":
            continue
        found = _parse_attrs(content, start)
        if found is None or found[0] != len(content):
            continue
        token.content = content[:start].rstrip()
        _apply_attrs(tokens[index - 1], found[1])


# -- Markdown inside HTML -------------------------------------------------------------------------
MARKDOWN_ATTRIBUTE = re.compile(r"""\smarkdown\s*=\s*["']?(?:1|block|span)\b""")
TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
# How deep <div markdown="1"> inside <div markdown="1"> is read; each level parses its content once more.
MARKDOWN_IN_HTML_DEPTH = 4


def _markdown_in_html_rule(state: StateCore) -> None:
    """Python-Markdown's ``<div markdown="1">**x**</div>``: the content of an HTML block whose opening
    tag says ``markdown="1"`` (or ``block``, ``span``) is read as Markdown, even without the blank
    lines CommonMark asks for."""
    state.tokens = _read_markdown_in_html(state, state.tokens, MARKDOWN_IN_HTML_DEPTH)


def _read_markdown_in_html(state: StateCore, tokens: list[Token], depth: int) -> list[Token]:
    if depth == 0 or not any(t.type == "html_block" and "markdown" in t.content for t in tokens):
        return tokens
    out: list[Token] = []
    for token in tokens:
        parts = _markdown_html_parts(token) if token.type == "html_block" else None
        if parts is None:
            out.append(token)
            continue
        opening, inner, closing = parts
        inner_tokens: list[Token] = []
        state.md.block.parse(inner, state.md, state.env, inner_tokens)
        for html in (opening, None, closing):
            if html is None:
                out.extend(_read_markdown_in_html(state, inner_tokens, depth - 1))
                continue
            wrapper = Token("html_block", "", 0)
            wrapper.content = html + "\n"
            out.append(wrapper)
    return out


def _markdown_html_parts(token: Token) -> tuple[str, str, str] | None:
    content = token.content.strip()
    tag = TAG_NAME.match(content)
    end_of_opening = content.find(">")
    if tag is None or end_of_opening < 0 or not MARKDOWN_ATTRIBUTE.search(content, 0, end_of_opening):
        return None
    closing = f"</{tag.group(1)}>"
    if not content.lower().endswith(closing.lower()) or len(content) < end_of_opening + 1 + len(closing):
        return None
    opening = content[: end_of_opening + 1]
    return opening, content[end_of_opening + 1 : len(content) - len(closing)], closing


# -- abbreviations --------------------------------------------------------------------------------
ABBREVIATION_LINE = re.compile(rf"\*\[([^\]\n]{{1,{ABBREVIATION_TERM_MAX_LENGTH}}})\]:[ \t]*(.*)")
WORD = re.compile(r"\w+")


def _abbreviation_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``*[HTML]: Hyper Text Markup Language`` on a line of its own defines an abbreviation."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("*[", begin):
        return False
    match = ABBREVIATION_LINE.fullmatch(state.src, begin, state.eMarks[start_line])
    if match is None:
        return False
    if silent:
        return True
    term, title = match.group(1).strip(), match.group(2).strip()
    abbreviations = state.env.setdefault("abbreviations", {})
    if term and WORD.match(term) and len(abbreviations) < ABBREVIATIONS_MAX:
        abbreviations.setdefault(term, title)
    state.line = start_line + 1
    return True


def _abbreviation_core_rule(state: StateCore) -> None:
    """Wrap each defined term found in text (not in code or links' addresses) in ``<abbr>``."""
    abbreviations: dict[str, str] = state.env.get("abbreviations") or {}
    if not abbreviations:
        return
    # Terms by their first word, longest first: each word of the text costs one lookup.
    by_first_word: dict[str, list[str]] = {}
    for term in sorted(abbreviations, key=len, reverse=True):
        by_first_word.setdefault(WORD.match(term).group(), []).append(term)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for child in block.children:
            if child.type == "text":
                children.extend(_split_abbreviations(child, abbreviations, by_first_word))
            else:
                children.append(child)
        block.children = children


def _split_abbreviations(token: Token, abbreviations: dict[str, str], by_first_word: dict[str, list[str]]) -> list:
    text, out, last = token.content, [], 0
    for word in WORD.finditer(text):
        start = word.start()
        if start < last or (start and (text[start - 1].isalnum() or text[start - 1] == "_")):
            continue
        for term in by_first_word.get(word.group(), ()):
            end = start + len(term)
            if text.startswith(term, start) and not (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                if start > last:
                    out.append(_text_token(text[last:start]))
                opening = Token("abbr_open", "abbr", 1)
                opening.attrSet("title", abbreviations[term])
                out.extend([opening, _text_token(term), Token("abbr_close", "abbr", -1)])
                last = end
                break
    if not out:
        return [token]
    if last < len(text):
        out.append(_text_token(text[last:]))
    return out


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


# -- tables ---------------------------------------------------------------------------------------
# A row shorter than its header gets empty cells: "|\n" under a header of 250 columns is 250 cells, so
# 2,000 characters could make 65,536 cells (markdown-it's own limit per table) and seconds of work. We
# allow fewer per table, and stop reading tables once a text has made TABLE_CELLS_MAX cells: the rest
# shows as text. Set on the module, where markdown-it reads it on every table.
# (The module, not the function of the same name that markdown_it.rules_block exports.)
table_rule = importlib.import_module("markdown_it.rules_block.table")
table_rule.MAX_AUTOCOMPLETED_CELLS = 2000
TABLE_CELLS_MAX = 10_000


def _bounded_table_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    made = state.env.get("table_cells", 0)
    if made >= TABLE_CELLS_MAX:
        return False
    first = len(state.tokens)
    if not table_rule.table(state, start_line, end_line, silent):
        return False
    if not silent:
        cells = sum(1 for token in state.tokens[first:] if token.type in ("td_open", "th_open"))
        state.env["table_cells"] = made + cells
    return True


TEXT_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def _table_align_rule(state: StateCore) -> None:
    """Cells' alignment as ``align`` (the sanitizer allows it; it drops every ``style``)."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            match = TEXT_ALIGN.search(str(token.attrs.pop("style")))
            if match:
                token.attrSet("align", match.group(1))


def _parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(attrs_block_plugin)
    )
    md.block.ruler.at("table", _bounded_table_rule, {"alt": ["paragraph", "reference"]})
    md.inline.ruler.push("attrs", _inline_attrs_rule)
    md.block.ruler.before("reference", "abbreviation", _abbreviation_block_rule)
    md.core.ruler.after("block", "markdown_in_html", _markdown_in_html_rule)
    md.core.ruler.after("markdown_in_html", "trailing_attrs", _trailing_attrs_rule)
    md.core.ruler.after("inline", "abbreviations", _abbreviation_core_rule)
    md.core.ruler.push("table_align", _table_align_rule)
    return md


PARSER = _parser()


def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitize it: no scripts, no event handlers, links get rel="nofollow noopener"."""
    text = text or ""
    # Footnote anchors are named after the text, so two texts on one page never share an id.
    doc_id = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]
    html = PARSER.render(text, {"docId": doc_id})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    return mark_safe(clean)  # noqa: S308 — sanitized by nh3 just above


# -- stored HTML ----------------------------------------------------------------------------------
class SanitizedHTMLField(models.TextField):
    """HTML that ``render_markdown`` made; read back as safe, so templates show it as it is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return mark_safe(value) if value is not None else value  # noqa: S308 — only render_markdown writes it


class RendersMarkdown:
    """For models with Markdown fields: ``markdown_fields`` maps each source to its stored HTML field,
    which ``save()`` re-renders when the source changed (``update_fields`` gains the HTML field).
    ``bulk_create`` skips ``save()``: call ``render_markdown_fields()`` on the objects first."""

    markdown_fields: dict[str, str] = {}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The stored HTML was made from the source as loaded; saving it unchanged renders nothing.
        instance._markdown_sources = {
            source: instance.__dict__[source] for source in cls.markdown_fields if source in instance.__dict__
        }
        return instance

    def render_markdown_fields(self, update_fields: Iterable[str] | None = None) -> list[str]:
        """Render the sources that changed since loaded or last rendered; returns the HTML fields set."""
        rendered = self.__dict__.setdefault("_markdown_sources", {})
        deferred = self.get_deferred_fields()
        changed = []
        for source, target in self.markdown_fields.items():
            if (update_fields is not None and source not in update_fields) or source in deferred:
                continue
            text = getattr(self, source) or ""
            if source in rendered and rendered[source] == text and target not in deferred:
                continue
            setattr(self, target, render_markdown(text))
            rendered[source] = text
            changed.append(target)
        return changed

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        changed = self.render_markdown_fields(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *changed}
        super().save(**kwargs)


def render_stored_html(queryset, fields: dict[str, str], *, chunk_size: int = 500, progress=None) -> int:
    """Re-render ``fields`` (source → HTML field) of every row of ``queryset`` in chunks of
    ``chunk_size``, walking the primary key; returns the number of rows. For migrations (historical
    models) and ``manage.py render_markdown``; ``progress`` (a tqdm bar) is advanced per chunk."""
    queryset = queryset.order_by("pk").only("pk", *fields)
    done, last_pk = 0, None
    while True:
        chunk = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        rows = list(chunk[:chunk_size])
        if not rows:
            return done
        for row in rows:
            for source, target in fields.items():
                setattr(row, target, str(render_markdown(getattr(row, source))))
        queryset.model._base_manager.bulk_update(rows, list(fields.values()))
        done += len(rows)
        last_pk = rows[-1].pk
        if progress is not None:
            progress.update(len(rows))
