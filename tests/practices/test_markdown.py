"""The Markdown members write: every feature Python-Markdown's ``extra`` and ``sane_lists`` gave them
still works on the CommonMark parser, the sanitizer still has the last word, and hostile shapes stay
bounded."""

import re

from practices.markdown import TABLE_CELLS_MAX, render_markdown


def test_tables_keep_their_column_alignment():
    html = render_markdown("| Item | Cost |\n|:-----|-----:|\n| Sensors | $40 |")
    assert '<th align="left">Item</th>' in html
    assert '<td align="right">$40</td>' in html


def test_footnotes_link_to_their_note_and_back():
    html = render_markdown("Procured in 2024.[^rfp]\n\n[^rfp]: Through the state cooperative contract.")
    (ref,) = re.findall(r'<a href="#(fn-[0-9a-f]{10}-1)" id="(fnref-[0-9a-f]{10}-1)"', html)
    assert f'<li id="{ref[0]}">' in html
    assert f'href="#{ref[1]}"' in html
    assert "Through the state cooperative contract." in html


def test_footnote_ids_differ_between_texts_shown_on_one_page():
    first = render_markdown("A[^1]\n\n[^1]: one")
    second = render_markdown("B[^1]\n\n[^1]: two")
    assert set(re.findall(r'id="([^"]+)"', first)).isdisjoint(re.findall(r'id="([^"]+)"', second))


def test_ids_other_than_footnote_anchors_are_removed():
    html = render_markdown('<a id="main-nav" href="#x">x</a> <li id="fn-1">y</li>')
    assert "main-nav" not in html
    assert 'id="fn-1"' not in html


def test_definition_lists():
    html = render_markdown("RFP\n: Request for proposals.")
    assert "<dl>\n<dt>RFP</dt>\n<dd>Request for proposals.</dd>\n</dl>" in html


def test_fenced_code_keeps_its_language():
    html = render_markdown("```python\nprint('<b>')\n```\n\n~~~\nplain\n~~~")
    assert "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>" in html
    assert "<pre><code>plain\n</code></pre>" in html


def test_attribute_lists_after_links_images_and_code():
    html = render_markdown(
        '[RFP](https://x.org/rfp){: title="The template" } ![map](https://x.org/m.png){title="Map"} `x = 1`{.python}'
    )
    assert '<a href="https://x.org/rfp" title="The template"' in html
    assert '<img src="https://x.org/m.png" alt="map" title="Map">' in html
    assert '<code class="python">x = 1</code>' in html


def test_attribute_lists_on_headings_and_paragraphs_are_not_shown_as_text():
    html = render_markdown("## Results {: #results }\n\nIt worked.\n{: .lead }\n\n{.note}\nNext steps.")
    assert "<h2>Results</h2>" in html
    assert "<p>It worked.</p>" in html
    assert "<p>Next steps.</p>" in html
    assert "{" not in html


def test_attribute_lists_cannot_add_event_handlers_or_script_links():
    html = render_markdown('[x](https://x.org){onclick="alert(1)" href="javascript:alert(1)"}')
    assert "onclick" not in html and "javascript" not in html


def test_abbreviations_explain_each_use_of_the_term_outside_code():
    html = render_markdown(
        "*[CSCA]: Colorado Smart Cities Alliance\n\nThe CSCA pilot, CSCA-led, not CSCAX. `CSCA` in code."
    )
    assert html.count('<abbr title="Colorado Smart Cities Alliance">CSCA</abbr>') == 2
    assert "CSCAX" in html and "<code>CSCA</code>" in html
    assert "*[" not in html


def test_markdown_inside_html_blocks_marked_markdown_1():
    html = render_markdown(
        '<div markdown="1">**Budget** approved</div>\n\n<blockquote markdown="block">*q*</blockquote>'
    )
    assert "<p><strong>Budget</strong> approved</p>" in html
    assert "<blockquote>\n<p><em>q</em></p>\n</blockquote>" in html


def test_html_blocks_without_the_markdown_attribute_stay_as_written():
    assert render_markdown("<div>**raw**</div>") == "**raw**"


def test_markdown_inside_html_blocks_separated_by_blank_lines():
    html = render_markdown('<div markdown="1">\n\n**Budget** approved\n\n</div>')
    assert "<p><strong>Budget</strong> approved</p>" in html
    assert "<div" not in html  # the sanitizer keeps the content, not the tag


def test_lists_of_different_kinds_do_not_mix_and_keep_their_start():
    html = render_markdown("3. third\n4. fourth\n* a bullet")
    assert '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>\n<ul>\n<li>a bullet</li>\n</ul>' in html


def test_strikethrough():
    assert "<s>old price</s>" in render_markdown("~~old price~~")


def test_scripts_handlers_and_script_links_are_removed():
    html = render_markdown(
        "<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) <iframe src=//x></iframe>"
    )
    assert "<script" not in html and "onerror" not in html and "<iframe" not in html
    assert "<a" not in html  # the javascript: link stays text


def test_links_are_nofollow():
    assert 'rel="nofollow noopener"' in render_markdown("<https://example.org>")


def test_empty_cells_of_short_rows_are_bounded():
    # "|" rows under a 250-column header: markdown-it would add up to 65,536 empty cells per table.
    html = render_markdown("|a" * 250 + "|\n" + "|-" * 250 + "|\n" + "|\n" * 2000)
    assert html.count("<td") <= 2000 + 250


def test_tables_stop_once_a_text_has_made_enough_cells():
    table = "|a" * 64 + "|\n" + "|-" * 64 + "|\n" + "|\n" * 40 + "\n"
    html = render_markdown(table * 60)
    assert html.count("<td") + html.count("<th") <= TABLE_CELLS_MAX + 64 * 41
    assert html.count("<table") < 60


def test_unclosed_attribute_lists_read_as_text():
    assert "{.a" in render_markdown("`a`{.a " * 3)


def test_an_element_takes_one_attribute_list():
    # A second would walk back over the link's content again: {a}{a}{a}… after a long link was quadratic.
    html = render_markdown('[a](https://x.org){title="x"}{title="y"}')
    assert 'title="x"' in html and '{title="y"}' in html
