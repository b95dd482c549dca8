"""How closely a new filing resembles an entry of the warning register: pure functions, so the
measure and its thresholds are stated once and can be recomputed by hand.

Chinese has no spaces between words, so texts are compared as sets of character bigrams (两字
切分), after NFKC folding, dropping everything but letters and digits, and dropping generic words
every filing uses (项目, 工程, 建设, ...), which would otherwise make any two titles look alike:

- title: Jaccard |A∩B| / |A∪B| of the two titles' bigrams;
- organisation: 1 for the same organisation, else the Jaccard of the two names;
- place: 1 for the same region code, else the overlap |A∩B| / min(|A|, |B|) of the entry's place
  (the approved report's 实施地点) with the filing's title and description (a short place named
  inside a longer text is a full match).

A filing is flagged when its title is close (≥ 0.6), or related (≥ 0.35) with the same place
(≥ 0.6) or organisation (≥ 0.8). The score is 0.6 × title + 0.2 × place + 0.2 × organisation.
(嘉善县垃圾焚烧发电项目 against 嘉善县生活垃圾焚烧发电厂建设项目: title 7/12 = 0.58, same county:
flagged; against 嘉善县垃圾分类处理中心: title 4/14 = 0.29: not flagged.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from wenping_shared.contracts.vocab import WarningMatchField

TITLE_CLOSE = 0.6
TITLE_RELATED = 0.35
PLACE_MATCH = 0.6
ORGANIZATION_MATCH = 0.8
WEIGHTS = {WarningMatchField.project_title: 0.6, WarningMatchField.place: 0.2, WarningMatchField.organization: 0.2}

#: Words of every filing; they say nothing about which decision it is.
GENERIC_WORDS = ("项目", "工程", "建设", "关于", "实施", "方案", "有限公司", "有限责任公司")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)  # a process compares each filing with the same register entries
def bigrams(text: str | None) -> frozenset[str]:
    folded = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())
    for word in GENERIC_WORDS:
        folded = folded.replace(word, "")
    if len(folded) < 2:
        return frozenset({folded}) if folded else frozenset()
    return frozenset(folded[i : i + 2] for i in range(len(folded) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Side:
    """What is compared of a filing or of a register entry."""

    title: str
    region_code: str
    org_id: str
    org_name: str | None
    place_text: str | None


@dataclass(frozen=True)
class Match:
    scores: dict[WarningMatchField, float]
    matched: list[WarningMatchField]
    score: float


def compare(filing: Side, entry: Side) -> Match | None:
    """The match of a filing with an entry, or None when they are not close enough to flag."""
    title = jaccard(bigrams(filing.title), bigrams(entry.title))
    if title < TITLE_RELATED:  # below it nothing else can make a match: most entries stop here
        return None
    if filing.org_id == entry.org_id:
        organization = 1.0
    else:
        organization = jaccard(bigrams(filing.org_name), bigrams(entry.org_name))
    if filing.region_code == entry.region_code:
        place = 1.0
    else:
        place = overlap(bigrams(filing.place_text), bigrams(entry.place_text))
    scores = {
        WarningMatchField.project_title: round(title, 4),
        WarningMatchField.place: round(place, 4),
        WarningMatchField.organization: round(organization, 4),
    }
    place_ok, org_ok = place >= PLACE_MATCH, organization >= ORGANIZATION_MATCH
    if not (title >= TITLE_CLOSE or (title >= TITLE_RELATED and (place_ok or org_ok))):
        return None
    matched = [WarningMatchField.project_title]
    matched += [WarningMatchField.place] if place_ok else []
    matched += [WarningMatchField.organization] if org_ok else []
    score = sum(WEIGHTS[field] * value for field, value in scores.items())
    return Match(scores=scores, matched=matched, score=round(score, 4))
