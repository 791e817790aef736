"""AnswerService: the one place that decides what a citizen is told, for every channel."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.browse import short_ref
from core.card_choice import Bands, pick_card
from core.catalog import case_family, case_of
from core.db.models import Interaction
from core.decision import Outcome, Thresholds, decide
from core.faq import FaqEntry, is_catalog_id
from core.interaction_log import InteractionLog
from core.messages import Decision, IncomingMessage, Reply, Suggestion
from core.privacy import mask_personal_data, pseudonymise
from core.replies import (
    EMPTY,
    FALLBACK,
    GOODBYE,
    GREETING,
    IDENTITY,
    SUGGEST_INTRO,
    THANKS,
    answer_text,
    cases_lead,
    fill,
    with_list,
)
from core.settings import Settings
from core.smalltalk import SmallTalk, classify
from core.text.normalize import tokens
from core.text.pipeline import PreparedQuery
from retrieval.live import LiveIndex
from retrieval.searcher import StageTimer
from retrieval.types import Hit

_SMALLTALK_TEXT = {
    SmallTalk.GREETING: GREETING,
    SmallTalk.THANKS: THANKS,
    SmallTalk.GOODBYE: GOODBYE,
    SmallTalk.IDENTITY: IDENTITY,
}
TOP_HITS_LOGGED = 5
# The catalog is searched deeper than the FAQ: a card lists the other cases of its procedure found
# among these. Most families have two to five cases, so four others show a family whole; the few
# large ones ("Thủ tục hải quan đối với …", 56 kinds of goods) show their best matches
# (docs/DECISIONS.md §7).
CATALOG_CANDIDATES = 10
MAX_OTHER_CASES = 4


CacheKey = tuple[str, str, int]  # index version, prepared question, hits kept


class HitCache:
    """Ranked hits of recent identical questions, per index version (LRU)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[CacheKey, tuple[Hit, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> tuple[Hit, ...] | None:
        with self._lock:
            hits = self._items.get(key)
            if hits is not None:
                self._items.move_to_end(key)
            return hits

    def put(self, key: CacheKey, hits: tuple[Hit, ...]) -> None:
        if self._size == 0:
            return
        with self._lock:
            self._items[key] = hits
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass
class _Query:
    """One question on its way through the FAQ and the catalog: prepared and encoded once."""

    text: str
    prepared: PreparedQuery | None = None
    vector: NDArray[np.float32] | None = None


@dataclass(frozen=True)
class _Ranked:
    """Hits with the index they came from, so a swap mid-request cannot mix two versions."""

    hits: tuple[Hit, ...]
    cached: bool
    version: str | None
    entries: Mapping[str, FaqEntry]

    def reply(self, interaction_id: str, decision: Decision, text: str, **fields: Any) -> Reply:
        """A reply that records the hits and index version it was decided on."""
        return Reply(
            interaction_id,
            decision,
            text,
            hits=self.hits,
            cached=self.cached,
            index_version=self.version,
            **fields,
        )


class AnswerService:
    def __init__(
        self,
        settings: Settings,
        live: LiveIndex,
        log: InteractionLog,
        thresholds: Thresholds,
        catalog: LiveIndex | None = None,
    ) -> None:
        self.settings = settings
        self.live = live
        self.catalog = catalog  # the national procedure catalog, consulted when the FAQ cannot answer
        self.log = log
        self.thresholds = thresholds
        self._cache = HitCache(settings.cache_size)
        self._salt = settings.user_id_salt.get_secret_value()
        self._catalog_refs: tuple[str | None, dict[str, FaqEntry]] = (None, {})

    def handle(self, message: IncomingMessage) -> Reply:
        """Answer one message and log it; the reply carries the interaction id for feedback."""
        timer = StageTimer()
        reply = self.answer(message.text, timer)
        timer.run("log", lambda: self._log(message, reply, reply.latency_ms))
        return replace(reply, stages_ms=dict(timer.stages))

    def handle_choice(self, message: IncomingMessage, entry: FaqEntry) -> Reply:
        """The answer to an entry the citizen picked (a suggestion or a browsed question), logged.

        ``message.text`` is what the citizen chose (the entry's question), logged like a question.
        """
        is_card = is_catalog_id(entry.id)
        searcher = (self.catalog if is_card and self.catalog else self.live).searcher
        reply = Reply(
            uuid.uuid4().hex,
            Decision.CATALOG if is_card else Decision.ANSWER,
            entry.answer if is_card else answer_text(entry, self.settings.placeholders()),
            entry_id=entry.id,
            question=entry.question,
            legal_basis=tuple(entry.legal_basis),
            links=tuple(entry.links),
            index_version=searcher.index.meta.version if searcher is not None else None,
        )
        self._log(message, reply, 0.0)
        return reply

    def catalog_entry(self, ref: str) -> FaqEntry | None:
        """The catalog record a button refers to (by ``short_ref`` of its id), if still imported."""
        searcher = self.catalog.searcher if self.catalog is not None else None
        if searcher is None:
            return None
        version, refs = self._catalog_refs
        if version != searcher.index.meta.version:  # built once per imported catalog, not per tap
            version = searcher.index.meta.version
            refs = {short_ref(e.id): e for e in searcher.index.entries.values()}
            self._catalog_refs = (version, refs)
        return refs.get(ref)

    def user_hash(self, channel: str, user_id: str) -> str:
        """The pseudonymous id under which this citizen's interactions are stored."""
        return pseudonymise(channel, user_id, self._salt)

    def answer(self, text: str, timer: StageTimer | None = None) -> Reply:
        """Decide and render without logging (used by ``handle``, evaluation and staff tests)."""
        started = time.perf_counter()
        timer = timer or StageTimer()
        text = text[: self.settings.max_message_chars]
        reply = self._reply(uuid.uuid4().hex, text, timer)
        latency = (time.perf_counter() - started) * 1000
        return replace(reply, latency_ms=latency, stages_ms=dict(timer.stages))

    def _reply(self, interaction_id: str, text: str, timer: StageTimer) -> Reply:
        values = self.settings.placeholders()
        if not tokens(text.lower()):
            return Reply(interaction_id, Decision.EMPTY, EMPTY)
        small = classify(text)
        if small is not None:
            return Reply(interaction_id, Decision.SMALLTALK, fill(_SMALLTALK_TEXT[small], values))
        query = _Query(text)
        ranked = self._rank(self.live, query, timer)
        outcome = timer.run("decide", lambda: decide(list(ranked.hits), self.thresholds))
        if self.catalog is not None:
            card = self._catalog_card(interaction_id, query, outcome, ranked.entries, timer)
            if card is not None:
                return card
        return self._render(interaction_id, outcome, ranked, values)

    def _catalog_card(
        self,
        interaction_id: str,
        query: _Query,
        faq: Outcome,
        faq_entries: Mapping[str, FaqEntry],
        timer: StageTimer,
    ) -> Reply | None:
        """A procedure card when the national catalog knows the procedure and the FAQ does not."""
        assert self.catalog is not None
        ranked = self._rank(self.catalog, query, timer, CATALOG_CANDIDATES)
        if query.prepared is None:  # set by the first index searched: none was
            return None
        bands = Bands(self.settings.catalog_local_band, self.settings.catalog_case_band)
        choice = pick_card(ranked.hits, ranked.entries, query.prepared, bands)
        if choice is None or not self.thresholds.confident(choice.procedure):
            return None
        entry = ranked.entries[choice.hit.id]
        codes = choice.codes(ranked.entries)
        if faq.top is not None and not self._card_beats(codes, choice.procedure, faq, faq_entries):
            return None
        cases = self._other_cases(entry, ranked)
        lead = cases_lead(entry.answer) if cases else None
        return ranked.reply(
            interaction_id,
            Decision.CATALOG,
            with_list(lead, [case_of(c.question) for c in cases]) if lead else entry.answer,
            entry_id=entry.id,
            question=entry.question,
            links=tuple(entry.links),
            suggestions=cases,
            lead=lead,
        )

    @staticmethod
    def _other_cases(card: FaqEntry, ranked: _Ranked) -> tuple[Suggestion, ...]:
        """The other cases of the card's procedure among the matches, best first: the question
        may not say which case is the citizen's ("mua lại tàu" says nothing of the registry)."""
        family = case_family(card.question)
        if family is None:
            return ()
        return tuple(
            Suggestion(h.id, ranked.entries[h.id].question, h.score)
            for h in ranked.hits
            if h.id != card.id
            and h.id in ranked.entries
            and case_family(ranked.entries[h.id].question) == family
        )[:MAX_OTHER_CASES]

    def _card_beats(
        self, codes: Collection[str], hit: Hit, faq: Outcome, faq_entries: Mapping[str, FaqEntry]
    ) -> bool:
        """Whether the card serves the question better than what the FAQ found.

        A curated answer outranks a card for the same need, known by the procedure codes the
        answer covers (``codes``: those the card stands for). Otherwise the card wins when its
        procedure matches better overall, or its name clearly better than any stored question.
        Over suggestions it wins when it matches better both overall and by its name's meaning.
        """
        assert faq.top is not None
        if faq.decision is not Decision.ANSWER:
            return hit.score >= faq.top.score and hit.dense_question >= faq.top.dense_question
        answer = faq_entries.get(faq.top.id)
        if answer is not None and set(codes) & set(answer.procedure_codes):
            return False
        margin = self.settings.catalog_margin
        return hit.score > faq.top.score or hit.dense_question >= faq.top.dense_question + margin

    def _rank(self, live: LiveIndex, query: _Query, timer: StageTimer, depth: int = 0) -> _Ranked:
        searcher = live.searcher
        if searcher is None:
            return _Ranked((), False, None, {})
        version = searcher.index.meta.version
        entries = searcher.index.entries
        if query.prepared is None:  # prepared once, by the FAQ's pipeline, for every source
            restore = self.settings.restore_diacritics
            query.prepared = searcher.index.pipeline.prepare_query(query.text, restore, timer)
        prepared = query.prepared
        k = max(5, self.thresholds.max_suggestions, depth)
        key = (version, prepared.dense_text, k)
        cached = self._cache.get(key)
        if cached is not None:
            return _Ranked(cached, True, version, entries)
        if query.vector is None and searcher.config.mode != "lexical":
            query.vector = searcher.encode(prepared, timer)
        hits = tuple(searcher.search(prepared, k=k, timer=timer, vector=query.vector))
        self._cache.put(key, hits)
        return _Ranked(hits, False, version, entries)

    def _render(
        self, interaction_id: str, outcome: Outcome, ranked: _Ranked, values: dict[str, str]
    ) -> Reply:
        entries = ranked.entries
        if outcome.decision is Decision.ANSWER and outcome.top and outcome.top.id in entries:
            entry = entries[outcome.top.id]
            return ranked.reply(
                interaction_id,
                Decision.ANSWER,
                answer_text(entry, values),
                entry_id=entry.id,
                question=entry.question,
                legal_basis=tuple(entry.legal_basis),
                links=tuple(entry.links),
            )
        if outcome.decision is Decision.SUGGEST:
            suggestions = tuple(
                Suggestion(h.id, entries[h.id].question, h.score)
                for h in outcome.suggestions
                if h.id in entries
            )
            text = with_list(SUGGEST_INTRO, [s.question for s in suggestions])
            return ranked.reply(
                interaction_id, Decision.SUGGEST, text, suggestions=suggestions, lead=SUGGEST_INTRO
            )
        return ranked.reply(interaction_id, Decision.FALLBACK, fill(FALLBACK, values))

    def _log(self, message: IncomingMessage, reply: Reply, latency_ms: float) -> None:
        self.log.record(
            Interaction(
                id=reply.interaction_id,
                channel=message.channel,
                user_hash=self.user_hash(message.channel, message.user_id),
                query_masked=mask_personal_data(message.text[: self.settings.max_message_chars]),
                decision=str(reply.decision),
                entry_id=reply.entry_id,
                top_hits=[
                    {
                        "id": h.id,
                        "score": round(h.score, 4),
                        "dense": round(h.dense, 4),
                        "lexical": round(h.lexical, 3),
                    }
                    for h in reply.hits[:TOP_HITS_LOGGED]
                ],
                latency_ms=round(latency_ms, 2),
                cached=reply.cached,
                index_version=reply.index_version,
            )
        )
