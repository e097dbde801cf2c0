"""A griffe extension for the API reference (mkdocs.yml): docstring
examples become code blocks.

The docstrings follow Keras's style, an `Example:` line, a blank line and
then doctest lines (`>>> ...` and their output) at the docstring's own
indentation. Markdown would read those lines as text (and an output such as
`[0.0002, 0.0]` as a link), so each run of doctest lines is fenced as
`pycon` code.
"""

import griffe


def fence_doctests(text):
    """Returns `text` with each run of top-level doctest lines fenced.

    Example:

    >>> print(fence_doctests("Example:\\n\\n>>> 1 + 1\\n2\\n\\nMore."))
    Example:
    <BLANKLINE>
    ```pycon
    >>> 1 + 1
    2
    ```
    <BLANKLINE>
    More.
    """
    lines = text.split("\n")
    out = []
    inside = False
    for line in lines:
        if not inside and line.startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Fences the doctest examples of every docstring griffe loads."""

    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
