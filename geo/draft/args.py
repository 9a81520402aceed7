"""`geo draft`'s arguments: the parser alone, so that other commands build the CLI without
importing the drafting code (geo/cli.py adds every subcommand's parser on each run)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any) -> None:
    d = sub.add_parser(
        "draft",
        help="draft a news article into reviewable rows and a review page (never writes seeds/)",
        description="Read a plain-text article (UTF-8) and draft, for a person to review: place mentions "
        "resolved to the atlas, GeoNames or ISO 3166; dates normalised against the article date; candidate "
        "events (ACLED types) and checkable claims. Writes DIR/article.txt, article.meta, places.csv, "
        "events.csv, claims.csv (status=draft) and review.html. See docs/draft.md.",
    )
    d.add_argument("article", metavar="ARTICLE.txt", help="the article as plain UTF-8 text")
    d.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the article's publication date")
    d.add_argument("--title", metavar="T", help="title (default: the article's first line)")
    d.add_argument("--outlet", metavar="O", default="", help="publisher or outlet")
    d.add_argument("--url", metavar="U", default="", help="the article's URL")
    d.add_argument("--source-id", metavar="ID", default="",
                   help="the article's id in seeds/sources.csv, cited by every drafted row (default: the article id)")
    d.add_argument("--out", metavar="DIR", help="output folder (default: drafts/<article-id>/)")
    d.add_argument("--json", action="store_true", help="also print the draft as one JSON object on stdout")
