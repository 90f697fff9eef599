"""Finding a client among the cases a user may see: by case number ("000003",
"2026-000003"), personal identity code, date of birth, or name. Names match without regard
to accents or case and with a letter or two wrong ("Hasan" finds Hassan, "lucia" Lucía).

On PostgreSQL a trigram index (migrations 0008 and 0016: pg_trgm over the unaccented,
lower-case name, kept in a stored column) picks the candidates; every candidate is then
checked and ranked here by edit distance, so both databases give the same answers. On SQLite (development) the candidates are simply the
cases the user may see."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Expression, F, Lookup, Q, TextField

from .selectors import cases_visible_to

CASE_NUMBER = re.compile(r"^(?:(\d{4})-)?(\d{1,6})$")
IDENTITY_CODE = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
MAX_RESULTS = 50
# PostgreSQL: how alike (0..1) a word of the query and the name must be to be a candidate;
# low, because the ranking below decides. The index answers this operator (<%).
TRIGRAM_THRESHOLD = 0.3
# PostgreSQL: candidates checked and ranked here per result shown, the closest first.
CANDIDATES_PER_RESULT = 4
# SQLite: at most this many cases are checked by name (development data).
FALLBACK_CANDIDATES = 20000


def normalise(text: str) -> str:
    """Lower case without accents: "Lucía Fernández" → "lucia fernandez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count once), stopping past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and previous2 is not None:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_errors(word: str) -> int:
    """Letters that may be wrong in a word of the query: none in very short words, one in
    words of up to five letters, two in longer ones."""
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def name_score(query_words: list[str], name: str) -> float | None:
    """How far ``name`` is from the query (0 = exact), or None if some word of the query
    matches no word of the name closely enough. A word may also be the start of a name."""
    name_words = normalise(name).replace("-", " ").split()
    total = 0.0
    for word in query_words:
        best = None
        for candidate in name_words:
            if candidate == word:
                score = 0.0
            elif len(word) >= 2 and candidate.startswith(word):
                score = 0.5
            else:
                distance = edit_distance(word, candidate, limit=allowed_errors(word))
                if distance > allowed_errors(word):
                    continue
                score = float(distance)
            best = score if best is None else min(best, score)
        if best is None:
            return None
        total += best
    return total


def _parse_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@TextField.register_lookup
class WordSimilar(Lookup):
    """``text__word_similar=word``: pg_trgm's ``word <% text`` (PostgreSQL only)."""

    lookup_name = "word_similar"

    def as_sql(self, compiler, conn):
        lhs, lhs_params = self.process_lhs(compiler, conn)
        rhs, rhs_params = self.process_rhs(compiler, conn)
        return f"{rhs} <%% {lhs}", [*rhs_params, *lhs_params]


class ClientNameKey(Expression):
    """The client's name key (``kotopolku_name_key``: unaccented, lower case), which
    PostgreSQL keeps in the stored generated column ``casework_client.name_key`` under a
    trigram index (migrations 0008 and 0016); Django's model does not have the column. Read
    through the join to ``client_path``."""

    output_field = TextField()

    def __init__(self, client_path: str = "client"):
        super().__init__()
        self.anchor = F(f"{client_path}__first_names")  # resolved to the client's join

    def get_source_expressions(self):
        return [self.anchor]

    def set_source_expressions(self, expressions):
        (self.anchor,) = expressions

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.anchor.alias)
        return f"{table}.{connection.ops.quote_name('name_key')}", []


# What the ranking reads of a candidate; only the cases shown are then read whole.
CANDIDATE_FIELDS = ("pk", "client__first_names", "client__last_name", "created_at")


def _name_candidates(cases, words: list[str]):
    """``(pk, first names, last name, created at)`` of the cases whose client's name may
    match ``words``."""
    if connection.vendor != "postgresql":
        return list(
            cases.order_by("-created_at").values_list(*CANDIDATE_FIELDS)[:FALLBACK_CANDIDATES]
        )
    condition = Q()
    for word in words:
        # word <% key: the word is like some part of the name (trigram word similarity);
        # key LIKE %word%: the word is inside the name. The GIN index answers both.
        condition |= Q(name_key__contains=word) | Q(name_key__word_similar=word)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # For this transaction only: the similarity threshold, and no sequential scan of
            # the clients. PostgreSQL prices a trigram comparison like an equality, so on a
            # small register it reads every client and compares each name (20 ms at 10 000
            # clients) instead of asking the trigram index (2 ms).
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
                "set_config('enable_seqscan', 'off', true)",
                [str(TRIGRAM_THRESHOLD)],
            )
        # the closest by trigram similarity first (a common name may match thousands):
        # the ranking below then checks a few hundred, not every namesake
        closeness = TrigramWordSimilarity(words[0], "name_key")
        for word in words[1:]:
            closeness = closeness + TrigramWordSimilarity(word, "name_key")
        return list(
            cases.annotate(name_key=ClientNameKey("client"))
            .filter(condition)
            .annotate(closeness=closeness)
            .order_by("-closeness", "-created_at")
            .values_list(*CANDIDATE_FIELDS)[: MAX_RESULTS * CANDIDATES_PER_RESULT]
        )


def search_cases(user, query: str) -> tuple[str, list]:
    """``(how the query was read, the cases found)``, at most ``MAX_RESULTS``, the closest
    first. Only cases ``user`` may see (``cases_visible_to``)."""
    query = " ".join((query or "").split())
    cases = cases_visible_to(user)
    if len(query) < 2 and not query.isdigit():
        return "", []
    compact = query.replace(" ", "")
    number = CASE_NUMBER.match(compact)
    if number:
        year, serial = number.groups()
        suffix = f"-{int(serial):06d}"
        found = cases.filter(
            Q(number=f"{year}{suffix}") if year else Q(number__endswith=suffix)
        ).order_by("-created_at")
        return "number", list(found[:MAX_RESULTS])
    if IDENTITY_CODE.match(compact):
        found = cases.filter(client__personal_identity_code=compact.upper())
        return "identity_code", list(found.order_by("-created_at")[:MAX_RESULTS])
    born = _parse_date(compact)
    if born:
        found = cases.filter(client__date_of_birth=born)
        return "date_of_birth", list(
            found.order_by("client__last_name", "-created_at")[:MAX_RESULTS]
        )
    words = [w for w in normalise(query).replace("-", " ").split() if w][:4]
    scored = []
    for pk, first_names, last_name, created_at in _name_candidates(cases, words):
        score = name_score(words, f"{first_names} {last_name}".strip())
        if score is not None:
            scored.append((score, last_name.casefold(), -created_at.timestamp(), pk))
    scored.sort(key=lambda item: item[:3])
    shown = [item[3] for item in scored[:MAX_RESULTS]]
    found = cases.in_bulk(shown)
    return "name", [found[pk] for pk in shown]
