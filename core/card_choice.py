"""Which catalog record a card shows when several match almost equally well.

The catalog names one procedure many times: once per level ("Cấp lại thẻ căn cước" at province and
commune), once per size of works ("… dưới 5.000 m3/ngày đêm", "… từ 5.000 m3/ngày đêm trở lên"), once
per case ("Đăng ký lại phương tiện trong trường hợp …"). The model ranks such namesakes by the words
they share with the question, which is not what tells them apart; the citizen's own circumstances are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.catalog import case_family, case_of
from core.faq import FaqEntry
from core.settings import Settings
from core.text.pipeline import PreparedQuery
from core.text.quantities import amounts_in, contradicts
from core.text.situations import described_by_case, described_by_citizen, fit
from retrieval.types import Hit


def pick_card(
    hits: Sequence[Hit], entries: Mapping[str, FaqEntry], question: PreparedQuery, settings: Settings
) -> Hit | None:
    """The best catalog match, or one nearly as good that fits better: the case of its procedure
    that fits the situation the citizen describes, a name whose size limit admits the citizen's
    own figure ("8.000 m3" is not "dưới 5.000 m3"), and then a record the province or a commune
    handles: a provincial office's citizen needs that record, not the ministry's namesake."""
    known = [h for h in hits if h.id in entries]
    if not known:
        return None
    ordered = case_that_fits(known, entries, question, settings.catalog_case_band)
    floor = ordered[0].score - settings.catalog_local_band
    near = [h for h in ordered if h.score >= floor]
    amounts = amounts_in(question.original)
    fitting = [h for h in near if not contradicts(entries[h.id].question, amounts)] or near
    return next((h for h in fitting if entries[h.id].level), fitting[0])


def case_that_fits(
    hits: list[Hit], entries: Mapping[str, FaqEntry], question: PreparedQuery, band: float
) -> list[Hit]:
    """The hits with the best match's case swapped for a case of the same procedure, within
    ``band``, that fits the citizen's situation better; the cases that fit less than that one are
    set aside. Unchanged when no case names a situation the question describes: then the model's
    order is all there is to go by."""
    family = case_family(entries[hits[0].id].question)
    citizen = described_by_citizen(question.expanded, question.dense_text)
    if family is None or not citizen.present:
        return hits
    floor = hits[0].score - band
    cases = {
        h.id: described_by_case(case_of(entries[h.id].question))
        for h in hits
        if h.score >= floor and case_family(entries[h.id].question) == family
    }
    if not any((case.present | case.absent) & citizen.present for case in cases.values()):
        return hits
    fits = {ref: fit(case, citizen) for ref, case in cases.items()}
    best = max((h for h in hits if h.id in fits), key=lambda h: fits[h.id])  # the first of equals
    if fits[best.id] <= fits[hits[0].id]:
        return hits
    kept = [h for h in hits if h.id != best.id and fits.get(h.id, fits[best.id]) >= fits[best.id]]
    return [best, *kept]


def standing(card: Hit, hits: Sequence[Hit], entries: Mapping[str, FaqEntry]) -> Hit:
    """The match that speaks for the card's procedure against curated answers: its best-matched
    case. Which case is the citizen's is settled above; how well the procedure matched is not
    lowered by the model's misreading of the case."""
    family = case_family(entries[card.id].question)
    if family is None:
        return card
    same = (h for h in hits if h.id in entries and case_family(entries[h.id].question) == family)
    return max(same, key=lambda h: h.score, default=card)
