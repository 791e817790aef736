"""Which catalog record a card shows when several match almost equally well.

The catalog names one procedure many times: once per level ("Cấp lại thẻ căn cước" at province and
commune), once per size of works ("… dưới 5.000 m3/ngày đêm", "… từ 5.000 m3/ngày đêm trở lên"), once
per case ("Đăng ký lại phương tiện trong trường hợp …"). The model ranks such namesakes by the words
they share with the question, which is not what tells them apart; the citizen's own circumstances are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.catalog import case_family, case_of
from core.faq import FaqEntry
from core.text.pipeline import PreparedQuery
from core.text.quantities import amounts_in, contradicts
from core.text.situations import described_by_case, described_by_citizen, fit
from retrieval.types import Hit


@dataclass(frozen=True)
class Bands:
    local: float  # namesakes this close to the first are weighed by figure and level
    case: float  # cases of the best match's procedure this close to it are weighed by situation


@dataclass(frozen=True)
class CardChoice:
    hit: Hit  # the record the card shows
    # The match its procedure is weighed by against curated answers: the model's best case of the
    # same procedure when the citizen's situation chose another case, else the hit itself.
    procedure: Hit

    def codes(self, entries: Mapping[str, FaqEntry]) -> set[str]:
        """The procedure codes the card stands for: a curated answer covering the case it is
        weighed by keeps its place as surely as one covering the case it shows."""
        return {*entries[self.hit.id].procedure_codes, *entries[self.procedure.id].procedure_codes}


def pick_card(
    hits: Sequence[Hit], entries: Mapping[str, FaqEntry], question: PreparedQuery, bands: Bands
) -> CardChoice | None:
    """The best catalog match, or one nearly as good that fits better: the case of its procedure
    that fits the situation the citizen describes, a name whose size limit admits the citizen's
    own figure ("8.000 m3" is not "dưới 5.000 m3"), and then a record the province or a commune
    handles: a provincial office's citizen needs that record, not the ministry's namesake."""
    known = [h for h in hits if h.id in entries]
    if not known:
        return None
    ordered = _case_that_fits(known, entries, question, bands.case)
    first = ordered[0]
    near = [h for h in ordered if abs(h.score - first.score) <= bands.local]
    amounts = amounts_in(question.original)
    fitting = [h for h in near if not contradicts(entries[h.id].question, amounts)] or near
    hit = next((h for h in fitting if entries[h.id].level), fitting[0])
    moved = first.id != known[0].id and _family(hit, entries) == _family(known[0], entries)
    return CardChoice(hit, known[0] if moved else hit)


def _family(hit: Hit, entries: Mapping[str, FaqEntry]) -> str | None:
    return case_family(entries[hit.id].question)


def _case_that_fits(
    hits: list[Hit], entries: Mapping[str, FaqEntry], question: PreparedQuery, band: float
) -> list[Hit]:
    """The hits with the best match's case swapped for a case of the same procedure, within
    ``band``, that fits the citizen's situation better; the cases that fit less than that one are
    set aside. Unchanged when no case names a situation the question speaks of: then the model's
    order is all there is to go by."""
    family = _family(hits[0], entries)
    if family is None:  # most names name no case: the question need not be read
        return hits
    citizen = described_by_citizen(question.dense_text if question.restored else question.original)
    said = citizen.present | citizen.absent
    if not said:
        return hits
    members = [h for h in hits if _family(h, entries) == family]
    cases = {h.id: described_by_case(case_of(entries[h.id].question)) for h in members}
    if not any((case.present | case.absent) & said for case in cases.values()):
        return hits
    fits = {ref: fit(case, citizen) for ref, case in cases.items()}
    floor = hits[0].score - band
    best = max((h for h in members if h.score >= floor), key=lambda h: fits[h.id])  # first of equals
    if fits[best.id] <= fits[hits[0].id]:
        return hits
    kept = [h for h in hits if h.id != best.id and fits.get(h.id, fits[best.id]) >= fits[best.id]]
    return [best, *kept]
