from django import template

from practices.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ practice.body|markdown }}``: sanitized HTML from user Markdown."""
    return render_markdown(text)
