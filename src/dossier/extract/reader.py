"""One article's parsed blocks -> `Claim`s: the stages of `extract` put together."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from ..article import Article, Block
from ..claims import Claim, Quantity, Speaker
from ..slugs import slugify, unique
from .attribution import (
    PROMISE_VERBS,
    Attribution,
    call_signs,
    find_attributions,
    quoting_subject,
    statement_quotes,
)
from .checkworthiness import kind_of, opinion_or_norm, score
from .entities import EntityIndex
from .ids import claim_id
from .modality import modality_of
from .quantities import to_quantities

MIN_WORDS = 4


class ArticleReader:
    def __init__(self, article: Article, index: EntityIndex):
        self.article = article
        self.index = index
        self.claims: list[Claim] = []
        self.ids: set[str] = set()
        self.entity_ids: set[str] = set()
        self.last_person: Attribution | None = None

    def read_block(self, block: Block, doc: Doc, offset: int = 0) -> None:
        """Read one parsed paragraph (or a piece of it starting at `offset` in the block)."""
        for sent in doc.sents:
            claim = self.read_unit(block, sent, offset)
            if claim is not None:
                self.claims.append(claim)

    def _speaker(self, sent: Span, attributions: list[Attribution]) -> Attribution | None:
        resolved = []
        for attribution in attributions:
            if attribution.how == "pronoun":
                if self.last_person is None:
                    continue
                attribution = Attribution(self.last_person.name, self.last_person.kind, attribution.verb,
                                          "pronoun", self.last_person.start, self.last_person.end)
            resolved.append(attribution)
        quotes = statement_quotes(sent)
        if quotes and resolved:
            first_quote = quotes[0][0]
            # the attribution nearest the quotation speaks it
            def distance(a: Attribution) -> int:
                return abs(sent.doc[a.start].idx - first_quote) if a.how != "pronoun" else 10**6
            verb_based = [a for a in resolved if a.how in ("verb", "pronoun")] or resolved
            return min(verb_based, key=distance)
        if quotes:
            persons = [e for e in sent.ents if e.label_ == "PER" and e.start_char < quotes[0][0]]
            if not persons and quotes[0][0] == sent.start_char:
                # « … », s'est réjoui le maire, <name>.
                persons = [e for e in sent.ents if e.label_ == "PER" and e.start_char >= quotes[0][1]][:1]
            if persons:
                ent = persons[-1]
                return Attribution(ent.text, "person", None, "quote", ent.start, ent.end)
            return quoting_subject(sent, quotes[0][0])
        main = [a for a in resolved if a.how in ("verb", "selon", "pronoun")]
        if main:
            return main[0]
        return resolved[0] if resolved else None

    def read_unit(self, block: Block, sent: Span, offset: int = 0) -> Claim | None:
        start, end = sent.start_char + offset, sent.end_char + offset
        text = block.text[start:end].strip()
        start = block.text.index(text, start) if text else start
        end = start + len(text)
        words = [t for t in sent if t.is_alpha]
        if len(words) < MIN_WORDS and not (len(words) >= 2 and any(t.like_num for t in sent)):
            return None
        attributions = find_attributions(sent)
        speaker = self._speaker(sent, attributions)
        quantities_found = to_quantities(sent)
        judgement = opinion_or_norm(sent)
        has_quote = bool(statement_quotes(sent))
        reported_by_verb = speaker is not None and speaker.how in ("verb", "selon", "pronoun") \
            and speaker.verb not in PROMISE_VERBS
        kind = kind_of(sent, has_quote, speaker is not None, reported_by_verb, bool(quantities_found),
                       judgement)
        hedging = [a for a in attributions if a.how in ("verb", "selon", "pronoun")]
        if speaker is not None and speaker.how == "quote":
            hedging.append(speaker)
        modality = modality_of(sent, hedging)
        signs = call_signs(sent)
        entity_ids = self.index.of_sentence(sent, signs)
        speaker_model = None
        if speaker is not None:
            entity = None
            if speaker.kind == "person":
                entity = self.index.add(speaker.name, "person")
                if entity and entity not in entity_ids:
                    entity_ids.append(entity)
                self.last_person = speaker
            elif speaker.kind in ("organisation", "media"):
                # "l'Organisation mondiale de la santé" as speaker: the entity of the same name
                named = slugify(speaker.name)
                entity = next((e for e in entity_ids if e == named or self.index.canonical(named) == e), None)
            speaker_model = Speaker(speaker.name, speaker.kind, entity)  # type: ignore[arg-type]
        quantities: list[Quantity] = []
        for quantity, _found in quantities_found:
            if quantity.modality == modality:
                quantity = _with_modality(quantity, None)
            quantities.append(quantity)
        checkworthy = kind not in ("opinion", "normative")
        if kind == "event" and not entity_ids and speaker is None and len(words) < 8:
            return None
        names = [self.index.entities[e]["name"] for e in entity_ids if e in self.index.entities]
        base_id = claim_id(sent, names, quantities, speaker.name if speaker else None)
        self.entity_ids.update(entity_ids)
        return Claim(
            id=unique(base_id, self.ids), article=self.article.slug, text=text,
            location=block.location(start, end), kind=kind, checkworthy=checkworthy,  # type: ignore[arg-type]
            checkworthiness=score(kind, len(entity_ids), len(quantities), speaker.kind if speaker else None),
            quantities=tuple(quantities), speaker=speaker_model, verb=speaker.verb if speaker else None,
            modality=modality, entities=tuple(entity_ids),  # type: ignore[arg-type]
        )

    def result(self, factory):
        claims = []
        for claim in self.claims:
            entities = tuple(dict.fromkeys(self.index.canonical(e) for e in claim.entities))
            speaker = claim.speaker
            if speaker is not None and speaker.entity:
                speaker = replace(speaker, entity=self.index.canonical(speaker.entity))
            claims.append(replace(claim, entities=entities, speaker=speaker))
        used = {e for c in claims for e in c.entities} | {c.speaker.entity for c in claims
                                                          if c.speaker and c.speaker.entity}
        return factory(self.article, tuple(claims), self.index.to_entities(used))


def _with_modality(quantity: Quantity, modality: str | None) -> Quantity:
    from dataclasses import replace

    return replace(quantity, modality=modality)
