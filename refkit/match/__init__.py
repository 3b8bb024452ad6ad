"""Reference -> registry record, validated field by field, with a calibrated confidence.

A DOI written in the reference is looked up and checked against the reference (it can point to another work).
Otherwise the reference string is searched with ``query.bibliographic`` and each candidate is scored on what the
reference states: title similarity, first author, year (within one: online-first and print years differ), volume,
issue, first page, journal (any of its abbreviations, through :mod:`refkit.journals`). Crossref's own ``score`` is
never used to accept: it is unnormalised and grows with the length of the query.

Each field is compared as parsed and, since parsers miss or mangle fields in unfamiliar styles, as found in the
string itself (the record's title, first author, journal or pages standing in the citation). The score of a
candidate is a logistic model over those agreements (:data:`FEATURES`, :data:`WEIGHTS`); the confidence of a match
is a second logistic model over the best candidate's score and its lead over the next one (:data:`CALIBRATION`), so
that it estimates the probability that the match is right. Both were fitted on the training part of an evaluation set
built from real Crossref records and real reference strings, split by work with a fixed seed
(``python bench/match_accuracy.py --fit --write`` refits them and writes the constants here; the held-out part
measures precision, recall and calibration). A wrong DOI is worse than none: a candidate is accepted only at
:data:`ACCEPT` or above; doubtful candidates come back ``ambiguous`` and weak ones ``unmatched``.

Searches are frugal: citations are grouped by work first (:mod:`refkit.dedupe`'s steps, offline), each work is
searched once with its most complete citation, and every citation of the work is scored against that one
candidate list. Written DOIs are fetched in batches. A search asks for :data:`ROWS` candidates: enough that the
rivals of the best one (another record with the same title, the other language edition) are among them whatever the
registry's ranking, so that the confidence, which weighs the best candidate against the next, depends on the
registry's records and not on how it orders them (the live API and a local snapshot then agree).

Example:
    >>> from refkit.model import Reference, Person
    >>> ref = Reference(title="Calcinosis cutis universalis", author=(Person("Ogretmen", "Z"),), issued=(2002,))
    >>> rec = {"DOI": "10.1/x", "title": ["Calcinosis cutis universalis"], "author": [{"family": "Ogretmen"}],
    ...        "issued": {"date-parts": [[2002]]}}
    >>> score_candidate(ref, rec)[0] > 0.9
    True
"""

from __future__ import annotations

from refkit.match.batch import OpenWork, check_written, match, match_many, plan, search_works
from refkit.match.score import (
    ACCEPT,
    CALIBRATION,
    FEATURES,
    REVIEW,
    RIVAL,
    ROWS,
    WEIGHTS,
    features,
    lead,
    probability,
    query_for,
    score_candidate,
    title_similarity,
    top_confidence,
)

__all__ = [
    "ACCEPT",
    "CALIBRATION",
    "FEATURES",
    "REVIEW",
    "RIVAL",
    "ROWS",
    "WEIGHTS",
    "OpenWork",
    "check_written",
    "features",
    "lead",
    "match",
    "match_many",
    "plan",
    "probability",
    "query_for",
    "score_candidate",
    "search_works",
    "title_similarity",
    "top_confidence",
]
