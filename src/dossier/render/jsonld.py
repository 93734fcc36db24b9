"""schema.org markup for a claim page.

A claim with a rated verdict (a step of the scale with a ClaimReview number)
gets exactly one `ClaimReview`. A claim that is unverified or unverifiable gets
a bare `Claim` instead: a ClaimReview is a published rating, and these claims
have none. Inventing a number, or a ClaimReview without `reviewRating`, would
tell search engines and fact-check aggregators that a review concluded when it
did not (see "The site" in README.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from ..claims import Claim
from ..config import Config
from .text import shorten

CLAIM_REVIEWED_MAX = 74  # "under 75 characters"
_SPEAKER_TYPES = {"person": "Person", "organisation": "Organization", "media": "Organization"}


def claim_author(claim: Claim, article: Any) -> dict | None:
    """The speaker when it is a named person or body; otherwise the outlet that published it."""
    if claim.speaker and claim.speaker.kind in _SPEAKER_TYPES and claim.speaker.name.strip():
        return {"@type": _SPEAKER_TYPES[claim.speaker.kind], "name": claim.speaker.name}
    if article is not None and (article.publisher or article.url):
        outlet: dict = {"@type": "Organization",
                        "name": article.publisher or urlparse(article.url or "").hostname}
        if article.url:
            parsed = urlparse(article.url)
            outlet["url"] = f"{parsed.scheme}://{parsed.netloc}/"
        return outlet
    return None


def item_reviewed(claim: Claim, article: Any) -> dict:
    item: dict = {"@type": "Claim"}
    author = claim_author(claim, article)
    if author:
        item["author"] = author
    if article is not None and article.published:
        item["datePublished"] = article.published.isoformat()
    if article is not None and article.url:
        appearance: dict = {"@type": "CreativeWork", "url": article.url, "headline": article.title}
        if article.published:
            appearance["datePublished"] = article.published.isoformat()
        item["appearance"] = appearance
        item["firstAppearance"] = appearance
    return item


def for_claim(claim: Claim, article: Any, config: Config, page_url: str) -> dict:
    """`article`: anything with the article's `title`, `url`, `published`, `publisher`."""
    verdict = config.verdict(claim.verdict)
    language = config.language
    if verdict is None or verdict.rating is None:
        item = item_reviewed(claim, article)
        return {"@context": "https://schema.org", **item, "text": claim.text, "url": page_url,
                "inLanguage": getattr(article, "language", None) or language}
    author: dict = {"@type": config.publisher.type or "Organization", "name": config.publisher.name}
    if config.publisher.url:
        author["url"] = config.publisher.url
    review: dict = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": shorten(claim.text, CLAIM_REVIEWED_MAX),
        "itemReviewed": item_reviewed(claim, article),
        "author": author,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": verdict.rating,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict.label.get(language) or verdict.label.get("en") or verdict.id,
        },
        "inLanguage": language,
    }
    if claim.corrections:
        review["dateModified"] = max(c.date for c in claim.corrections).isoformat()
    return review
