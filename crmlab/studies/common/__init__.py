"""Words several studies share, in English and Simplified Chinese: how items are named for a reader
(:mod:`.words`) and the survey hygiene's terms, captions and sentences (:mod:`.hygiene`, studies 1 and 2).

A study merges these terms into its own catalog and calls these builders with its own wording where the
studies really differ. Nothing here imports a study (an import-linter contract says so), and the studies
still never import each other.
"""
from crmlab.studies.common import hygiene, words

__all__ = ["hygiene", "words"]
