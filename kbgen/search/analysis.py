"""Text analysis for search: words folded (lower case, no accents), stemmed with the Snowball stemmer of
their language, stopwords left out, and the synonyms customers of any shop use.

Words are reduced to their stem, so "descaling" finds "descale" and "détartrer" finds "détartrage".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer

from ..i18n import primary_subtag

STEMMERS = {
    "en": "english", "fr": "french", "it": "italian", "ro": "romanian", "de": "german", "es": "spanish",
    "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian",
    "fi": "finnish", "ru": "russian", "tr": "turkish", "hu": "hungarian", "ar": "arabic", "el": "greek",
    "ca": "catalan", "pl": "polish", "cs": "czech", "lt": "lithuanian",
}  # fmt: skip

STOPWORDS = {
    "en": "a an and are as at be but by can could did do does for from had has have how i if im in into is it its "
    "me my no not of on or our so than that the their them then there these they this to too was we what when "
    "where which who why will with would you your yours",
    "fr": "a au aux avec ce ces comment dans de des du elle en est et il ils je la le les leur lui ma mais me "
    "mes mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos "
    "votre vous y d l j n s c qu estce questce",
    "it": "a ad al alla alle allo agli ai che chi come con da dal dalla dei del della delle di e ed gli ha hai "
    "ho i il in io la le lo loro ma mi mia mio ne nel nella non o per perché più quale quando se si sono su sul "
    "sulla ti tu tua tuo un una uno vi l d c",
    "ro": "a acest această al ale am ar are as au care ce cu cum da dacă de din după e ea ei el este eu fi îi îl "
    "îmi în la le lor lui mă mai mi ne "
    "mea meu ne nu o pe pentru sa să se si și sunt sau te tu un una unde va vă",
}

# Words shoppers use for what help centers call otherwise, in any shop: each group's phrases are
# equivalent. A shop's own words (its products' nicknames, its jargon) belong in its content:
# `synonyms.yml` in each language's folder (see `kbgen.readers.synonyms`).
SYNONYMS = {
    "en": [
        ["delivery", "shipping", "package", "parcel", "shipment", "arrive"],
        ["return", "send back", "bring back"],
        ["refund", "money back", "reimburse"],
        ["warranty", "guarantee"],
        ["damaged", "broken", "cracked", "dented"],
        ["cancel", "call off"],
        ["password", "login", "log in", "sign in"],
        ["unsubscribe", "stop emails", "marketing emails", "newsletter"],
        ["installments", "instalments", "pay later", "monthly payments"],
    ],
    "fr": [
        ["livraison", "expédition", "colis", "envoi"],
        ["retour", "renvoyer", "retourner"],
        ["remboursement", "rembourser"],
        ["garantie", "sav"],
        ["endommagé", "cassé", "abîmé"],
        ["mot de passe", "connexion", "identifiant"],
        ["carton", "boîte", "colis"],
        ["gratuit", "gratis", "offert"],
    ],
    "it": [
        ["consegna", "spedizione", "pacco"],
        ["reso", "restituire", "rimandare"],
        ["rimborso", "rimborsare"],
        ["garanzia", "assistenza"],
        ["danneggiato", "rotto"],
        ["scatola", "confezione", "pacco"],
        ["gratis", "gratuito", "gratuita"],
    ],
    "ro": [
        ["livrare", "expediere", "colet", "pachet"],
        ["retur", "returnare", "returna"],
        ["rambursare", "bani înapoi"],
        ["garanție", "service"],
        ["deteriorat", "spart", "stricat"],
        ["cutie", "ambalaj", "colet"],
        ["gratuit", "gratis", "fără cost"],
    ],
}
SYNONYM_WEIGHT = 0.9


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MD_NOISE = re.compile(r"\{[:#.][^}]*\}|\]\([^)]*\)|<[^>]+>")


def fold(text: str) -> str:
    """Lower case without accents: what both the index and the browser compare."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# 'Wi-Fi' is also 'wifi', 'e-mail' also 'email': short hyphenated words count joined too.
_COMPOUND = re.compile(r"(?<![^\W_])([^\W_]{2,4})-([^\W_]{2,4})(?![^\W_])")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")
_CODE_ZEROS = re.compile(r"(?<=[a-z])0+(?=\d)")


def _code(word: str) -> str:
    """Error codes match however they are written: 'E05' is 'E5'."""
    return _CODE_ZEROS.sub("", word) if word[:1].isalpha() and word[-1:].isdigit() else word


# A Snowball stemmer keeps its word in the object while it stems: one stemmer object is shared by every
# analyzer of its language (the cache below), so threads (`kbgen gaps`, the server) take turns with it.
# Stemming is pure Python, under the GIL anyway; each analyzer caches its stems, so the lock is rarely taken.
_STEMMING = threading.Lock()


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> snowballstemmer.stemmer | None:
    name = STEMMERS.get(primary_subtag(lang))
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=64)
def stopwords_of(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in STOPWORDS.get(primary_subtag(lang), "").split())


class Analyzer:
    """Words → (folded surface word, stem) for one language, with a cache: corpora repeat words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stopwords = stopwords_of(lang)
        self.stemmer = _stemmer(lang)
        self._stems: dict[str, str] = {}
        self._words: dict[str, str] = {}

    def _word(self, token: str) -> str:
        word = self._words.get(token)
        if word is None:
            word = _code(fold(token))
            self._words[token] = word = "" if word in self.stopwords else word
        return word

    def _lower(self, text: str) -> str:
        lowered = text.lower()
        if "'" in lowered or "’" in lowered:
            # English contractions are one word ("won't" → "wont"); elsewhere an apostrophe elides ("l'eau").
            lowered = _APOSTROPHE.sub("" if self.lang.startswith("en") else " ", lowered)
        return lowered

    def words(self, text: str) -> list[str]:
        """The text's words in order, folded, stop words left out."""
        text = self._lower(text)
        out = [w for w in map(self._word, _WORD.findall(text)) if w]
        if "-" in text:
            out += [w for w in map(self._word, (a + b for a, b in _COMPOUND.findall(text))) if w]
        return out

    def counts(self, text: str) -> Counter[str]:
        """How often each word occurs: the same words as `words`, counted (fast on long texts)."""
        counts: Counter[str] = Counter()
        lowered = self._lower(text)
        for token, n in Counter(_WORD.findall(lowered)).items():
            word = self._word(token)
            if word:
                counts[word] += n
        if "-" in text:
            for a, b in _COMPOUND.findall(lowered):
                word = self._word(a + b)
                if word:
                    counts[word] += 1
        return counts

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if self.stemmer and not word.isdigit():
                with _STEMMING:
                    stem = fold(self.stemmer.stemWord(word))
            else:
                stem = word
            self._stems[word] = stem
        return stem
