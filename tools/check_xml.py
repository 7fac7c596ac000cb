#!/usr/bin/env python3
"""pre-commit hook: every XML file given must be well-formed (parsed with lxml)."""

import sys

from lxml import etree


def main(paths):
    bad = 0
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in paths:
        try:
            etree.parse(path, parser)
        except (etree.XMLSyntaxError, OSError) as exc:
            print(f"{path}: not well-formed XML: {exc}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
