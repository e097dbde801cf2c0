"""MkDocs hooks (`hooks:` in mkdocs.yml): generated parts of pages.

- `<!-- table: KIND FILE... -->` lines become tables of measured numbers,
  made from the result files (`scripts/docs_tables.py`).
- `<!-- cli-reference -->` becomes the command-line reference, made from
  the argparse parsers (`scripts/cli_reference.py`).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli_reference  # noqa: E402
import docs_tables  # noqa: E402


def on_page_markdown(markdown, page, config, files):
    markdown = docs_tables.fill(markdown)
    if cli_reference.MARKER in markdown:
        markdown = markdown.replace(cli_reference.MARKER,
                                    cli_reference.reference())
    return markdown
