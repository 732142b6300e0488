from django import template

from focus_lab.text import possessive as _possessive

register = template.Library()


@register.filter
def possessive(name: object) -> str:
    """{{ district.name|possessive }} answer: "Alpha Public Schools' answer"."""
    return _possessive(name)
