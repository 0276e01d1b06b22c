"""Dedup benchmark: our SQLite-backed MinHash/LSH dedup against an in-memory datasketch baseline,
on the same stream of synthetic French-like news documents with copies injected at known edit
levels and hard negatives.

    .venv/bin/python benchmarks/dedup.py                   # 100,000 documents (several minutes)
    .venv/bin/python benchmarks/dedup.py --docs 5000       # quick look
    .venv/bin/python benchmarks/dedup.py --no-baseline     # no datasketch baseline
    .venv/bin/python benchmarks/dedup.py --ours-only --cache-mb 32 --merge-keys 200000   # A/B of the memory bounds

The stream (seeded, identical for every method): per 100 documents, 56 originals, 10 hard
negatives (an original's topic, places and people, different text; one in three also quotes
one of its sentences), 4 excerpt negatives (an aggregator's excerpt, flagged like a copy, of
such a same-topic article never collected; one in three opens on the quoted sentence), and 5
copies of each kind, of an earlier original:

- ``chrome``: the body plus republisher furniture (Publicité, "Lire aussi", captions, credits);
- ``title``: another title and lead, the body re-typeset (apostrophes, spaces, paragraphs);
- ``edit5`` / ``edit10`` / ``edit20``: that share of sentences rewritten, dropped or added to;
- ``excerpt``: an aggregator's lead-only copy (the lead and 0-2 first sentences, sometimes cut
  with "..."), flagged as an aggregator item like the pipeline does.

Each method runs in its own child process (so peak RSS is its own) and takes the documents one by
one: check, then record (a kept article is committed at once, as MarkSeen does). Reported: docs/s
(wall and CPU, dedup calls only; generating the text is excluded), peak RSS and RSS along the run
(flat or growing), state bytes per article, and per category: recall (copies found, attached to
the right original) and precision (flags that are right); for negatives, the false positives.
``recall@0.8`` is what a 0.8 Jaccard threshold would have found. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.dedup.cluster import Deduplicator, Doc, Thresholds
from newscrawl.dedup.fingerprints import PARAMS, SketchParams, exact_hash, normalize_words, word_hashes
from newscrawl.dedup.sqlite_store import SqliteStore
from newscrawl.dedup.store import check_params
from newscrawl.settings import NEWSCRAWL_DEDUP_CACHE_MB as DEDUP_CACHE_MB
from newscrawl.settings import NEWSCRAWL_DEDUP_MERGE_KEYS as DEDUP_MERGE_KEYS

CATEGORIES = ("original", "hard_negative", "excerpt_negative", "chrome", "title", "edit5", "edit10", "edit20",
              "excerpt")
COPY_KINDS = ("chrome", "title", "edit5", "edit10", "edit20", "excerpt")
MIX = {"original": 56, "hard_negative": 10, "excerpt_negative": 4, **dict.fromkeys(COPY_KINDS, 5)}
TARGETS = {"chrome": 0.95, "title": 0.95, "edit5": 0.95, "edit10": 0.95, "edit20": 0.88}

# ------------------------------------------------------------------------------------------ text

FUNCTION_WORDS = ["le", "la", "les", "de", "des", "du", "un", "une", "et", "à", "en", "dans", "pour", "sur", "par", "avec", "qui", "que", "ne", "pas", "plus", "au", "aux", "ce", "cette", "ces", "son", "sa", "ses", "leur", "leurs", "il", "elle", "ils", "elles", "on", "nous", "a", "est", "sont", "été", "être", "avait", "ont", "fait", "selon", "après", "avant", "depuis", "entre", "mais", "ou", "donc", "car", "comme", "aussi", "très", "tout", "tous", "toute", "encore", "déjà", "lors", "dont", "où", "sans", "sous", "contre", "vers", "chez", "deux", "trois", "plusieurs", "certains", "d'", "l'", "qu'", "n'", "s'", "c'"]
SYLLABLES = ["ma", "ri", "to", "la", "pé", "cha", "gne", "ver", "bon", "sau", "mon", "tré", "fa", "lu", "ré", "ca", "pi", "dé", "mé", "vi", "sé", "ge", "ta", "ro", "ni", "che", "bre", "vo", "pa", "cu", "ja", "mi", "ton", "son", "lan", "por", "tra", "tru", "gi", "fé", "lé", "vé", "ne", "na", "ble", "tion", "ment", "eur", "ette", "ois", "ier", "ence", "age", "ure", "ique", "isme", "eau", "oux", "ain"]
CHROME = ("Publicité", "Partager", "Abonnez-vous à notre newsletter", "Le Parisien avec AFP",
          "Réservé aux abonnés", "Suivez toute l'actualité sur notre application")
FIRST = ("Jean", "Marie", "Claire", "Olivier", "Sophie", "Karim", "Nathalie", "Thomas", "Inès", "Yann")


def make_word(rng: random.Random, low: int = 2, high: int = 4) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high)))


@dataclass
class Topic:
    words: list[str]
    names: list[str]


@dataclass
class Article:
    idx: int
    topic: int
    lead: str
    paragraphs: list[list[str]]
    """Sentences, grouped in paragraphs."""

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]


@dataclass
class BenchDoc:
    idx: int
    category: str
    cluster: int
    """Ground truth: the index of the original (its own index for originals and negatives)."""
    text: str
    lead: str
    excerpt: bool = False


class Corpus:
    """A seeded stream of documents (see the module docstring)."""

    def __init__(self, seed: int = 1, n_topics: int = 500, pool: int = 5_000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.general = [make_word(rng) for _ in range(20_000)]
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.general))]  # Zipf-like
        self.cum_weights = list(itertools.accumulate(weights))
        self.topics = [Topic([make_word(rng, 2, 5) for _ in range(60)],
                             [make_word(rng, 2, 3).capitalize() for _ in range(8)]) for _ in range(n_topics)]
        self.pool: deque[Article] = deque(maxlen=pool)

    def sentence(self, topic: Topic, low: int = 10, high: int = 26) -> str:
        rng = self.rng
        n = rng.randint(low, high)
        general = rng.choices(self.general, cum_weights=self.cum_weights, k=n)
        words = []
        for i in range(n):
            r = rng.random()
            if r < 0.45:
                words.append(rng.choice(FUNCTION_WORDS))
            elif r < 0.70:
                words.append(rng.choice(topic.words))
            elif r < 0.77:
                words.append(rng.choice(topic.names))
            elif r < 0.80:
                words.append(str(rng.randint(2, 2030)))
            else:
                words.append(general[i])
        text = " ".join(words).replace("' ", "'")
        if rng.random() < 0.15:
            text = f"« {text} », a déclaré {rng.choice(FIRST)} {rng.choice(topic.names)}"
        return text[0].upper() + text[1:] + "."

    def article(self, idx: int, topic_id: int) -> Article:
        rng, topic = self.rng, self.topics[topic_id]
        n = rng.randint(8, 20)
        sentences = [self.sentence(topic) for _ in range(n)]
        paragraphs, i = [], 0
        while i < n:
            k = rng.randint(1, 3)
            paragraphs.append(sentences[i : i + k])
            i += k
        return Article(idx, topic_id, self.sentence(topic, 20, 40), paragraphs)

    @staticmethod
    def text(paragraphs: list[list[str]]) -> str:
        return "\n".join(" ".join(p) for p in paragraphs)

    # ---------------------------------------------------------------- copies
    def edited(self, art: Article, share: float) -> list[list[str]]:
        rng, topic = self.rng, self.topics[art.topic]
        out = []
        for para in art.paragraphs:
            new: list[str] = []
            for s in para:
                if rng.random() >= share:
                    new.append(s)
                    continue
                op = rng.random()
                if op < 0.5:  # reworded: ~40% of the words replaced, order mostly kept
                    words = s.rstrip(".").split()
                    for j in range(len(words)):
                        if rng.random() < 0.4:
                            words[j] = rng.choice(topic.words if rng.random() < 0.5 else self.general[:2000])
                    new.append(" ".join(words) + ".")
                elif op < 0.75:  # dropped
                    continue
                else:  # kept, and a sentence added after it
                    new += [s, self.sentence(topic)]
            if new:
                out.append(new)
        return out or art.paragraphs

    def chrome(self, art: Article) -> list[list[str]]:
        rng = self.rng
        paragraphs = [list(p) for p in art.paragraphs]
        for _ in range(rng.randint(3, 6)):
            r = rng.random()
            if r < 0.4:
                line = [rng.choice(CHROME)]
            elif r < 0.7:
                line = ["Lire aussi : " + self.sentence(self.topics[rng.randrange(len(self.topics))], 6, 12)]
            else:  # a caption and its credit
                line = [self.sentence(self.topics[art.topic], 6, 12), f"{rng.choice(FIRST).upper()} {make_word(rng)}/AFP"]
            paragraphs.insert(rng.randint(0, len(paragraphs)), line)
        return paragraphs

    def retyped(self, art: Article) -> str:
        """Same words, other typography and paragraphing (a republisher's CMS)."""
        text = " ".join(art.sentences).replace("'", "’").replace(" »", "\u00a0»").replace("« ", "«\u202f")
        return text.upper() if self.rng.random() < 0.1 else text

    def excerpt(self, art: Article) -> str:
        rng = self.rng
        parts = [art.lead, *art.sentences[: rng.randint(0, 2)]]
        text = "\n".join(parts)
        if rng.random() < 0.4:  # cut with an ellipsis
            words = text.split()
            text = " ".join(words[: max(15, int(len(words) * rng.uniform(0.6, 0.95)))]) + "..."
        if rng.random() < 0.5:
            text += "\nPublicité"
        return text

    # ---------------------------------------------------------------- stream
    def stream(self, n: int) -> Iterator[BenchDoc]:
        rng = self.rng
        kinds = [k for k, w in MIX.items() for _ in range(w)]
        for idx in range(n):
            kind = rng.choice(kinds) if len(self.pool) >= 50 else "original"
            if kind == "original":
                art = self.article(idx, rng.randrange(len(self.topics)))
                self.pool.append(art)
                yield BenchDoc(idx, kind, idx, self.text(art.paragraphs), art.lead)
                continue
            src = self.pool[rng.randrange(len(self.pool))]
            if kind in ("hard_negative", "excerpt_negative"):
                art = self.article(idx, src.topic)
                if rng.random() < 1 / 3:  # quotes the same sentence
                    quote = rng.choice(src.sentences)
                    if kind == "excerpt_negative":
                        art.paragraphs[0].insert(0, quote)
                    else:
                        art.paragraphs[rng.randrange(len(art.paragraphs))].append(quote)
                if kind == "hard_negative":
                    yield BenchDoc(idx, kind, idx, self.text(art.paragraphs), art.lead)
                else:  # an aggregator's excerpt of an article never collected
                    yield BenchDoc(idx, kind, idx, self.excerpt(art), "", excerpt=True)
            elif kind == "chrome":
                yield BenchDoc(idx, kind, src.idx, self.text(self.chrome(src)), src.lead)
            elif kind == "title":
                yield BenchDoc(idx, kind, src.idx, self.retyped(src), self.sentence(self.topics[src.topic], 20, 40))
            elif kind.startswith("edit"):
                share = int(kind[4:]) / 100
                yield BenchDoc(idx, kind, src.idx, self.text(self.edited(src, share)),
                               self.sentence(self.topics[src.topic], 20, 40))
            else:
                yield BenchDoc(idx, kind, src.idx, self.excerpt(src), "", excerpt=True)


# ------------------------------------------------------------------------------------------ runs


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Result:
    name: str
    docs: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    rss_start: float = 0.0
    rss_samples: list[float] = field(default_factory=list)
    peak_rss: float = 0.0
    state_bytes: int = 0
    kept: int = 0
    flagged: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    correct_at_08: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    notes: str = ""


def _score(res: Result, doc: BenchDoc, dup_of: int | None, cluster_of: dict[int, int], sim: float | None,
           measure: str | None) -> None:
    res.total[doc.category] += 1
    if dup_of is None:
        return
    res.flagged[doc.category] += 1
    if cluster_of.get(dup_of) == doc.cluster and doc.category in COPY_KINDS:
        res.correct[doc.category] += 1
        if measure != "jaccard" or (sim is not None and sim >= 0.8):
            res.correct_at_08[doc.category] += 1


def run_ours(n: int, seed: int, sample_every: int, params: SketchParams = PARAMS,
             commit_interval: float = 1.0, thresholds: Thresholds | None = None,
             cache_mb: int = DEDUP_CACHE_MB, merge_keys: int = DEDUP_MERGE_KEYS) -> Result:
    res = Result(f"newscrawl (SQLite on disk, commits every {commit_interval:g} s, page cache {cache_mb} MB, "
                 f"merge every {merge_keys:,} keys)")
    corpus = Corpus(seed)
    tmp = tempfile.TemporaryDirectory(prefix="dedup-bench-")
    store = SqliteStore(Path(tmp.name) / "dedup.sqlite", cache_mb=cache_mb, merge_rows=merge_keys)
    check_params(store, params)
    dedup = Deduplicator(store, thresholds or Thresholds(), params=params, commit_interval=commit_interval)
    cluster_of: dict[int, int] = {}
    res.rss_start = rss_mb()
    wall = cpu = 0.0
    now = time.time()
    for doc in corpus.stream(n):
        d = Doc(id=f"{doc.idx:016x}", fetched=f"https://bench.example/a/{doc.idx}", text=doc.text, lead=doc.lead,
                excerpt=doc.excerpt)
        t0, c0 = time.perf_counter(), time.process_time()
        verdict = dedup.check(d)
        if verdict.kind == "new":
            dedup.hold(d, verdict.fp)
            dedup.commit_kept(d.id, verdict.fp, d.url_keys, now)
        else:
            dedup.record_duplicate(d, verdict, now)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if verdict.kind == "new":
            cluster_of[doc.idx] = doc.cluster
            res.kept += 1
            _score(res, doc, None, cluster_of, None, None)
        else:
            res.reasons[f"{verdict.reason}/{verdict.measure}"] += 1
            _score(res, doc, int(verdict.duplicate_of or "0", 16), cluster_of, verdict.similarity, verdict.measure)
        res.docs += 1
        if res.docs % sample_every == 0:
            res.rss_samples.append(rss_mb())
    dedup.flush()
    res.wall, res.cpu = wall, cpu
    store.checkpoint()
    res.state_bytes = store.size_bytes()
    counts = store.counts()
    res.notes = (f"state: {counts['articles']:,} articles, {counts['urls']:,} URLs, {counts['band_rows']:,} band rows, "
                 f"{counts['anchor_rows']:,} anchor rows")
    store.close()
    tmp.cleanup()
    res.peak_rss = peak_rss_mb()
    return res


def run_datasketch(n: int, seed: int, sample_every: int) -> Result:
    from datasketch import MinHash, MinHashLSH

    res = Result("datasketch MinHashLSH (in memory)")
    corpus = Corpus(seed)
    lsh = MinHashLSH(num_perm=PARAMS.num_perm, params=(PARAMS.bands, PARAMS.rows))
    sigs: dict[int, Any] = {}
    exact: dict[int, int] = {}
    cluster_of: dict[int, int] = {}
    res.rss_start = rss_mb()
    wall = cpu = 0.0
    for doc in corpus.stream(n):
        t0, c0 = time.perf_counter(), time.process_time()
        words = normalize_words(doc.text)
        h = exact_hash(word_hashes(words))
        dup_of, sim, measure = exact.get(h), 1.0, "exact"
        m = None
        if dup_of is None and len(words) >= 80:
            shingles = {" ".join(words[i : i + PARAMS.shingle]) for i in range(len(words) - PARAMS.shingle + 1)}
            m = MinHash(num_perm=PARAMS.num_perm, seed=1)
            m.update_batch([s.encode("utf-8") for s in shingles])
            best = max(((m.jaccard(sigs[c]), c) for c in lsh.query(m)), default=None)
            if best is not None and best[0] >= 0.5:
                sim, dup_of, measure = best[0], best[1], "jaccard"
        if dup_of is None:
            exact.setdefault(h, doc.idx)
            if m is not None:
                lsh.insert(doc.idx, m)
                sigs[doc.idx] = m
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if dup_of is None:
            cluster_of[doc.idx] = doc.cluster
            res.kept += 1
        else:
            res.reasons[measure] += 1
        _score(res, doc, dup_of, cluster_of, sim, measure)
        res.docs += 1
        if res.docs % sample_every == 0:
            res.rss_samples.append(rss_mb())
    res.wall, res.cpu = wall, cpu
    res.notes = "no persistence; no containment check (excerpts are out of its reach); exact hash + LSH"
    res.peak_rss = peak_rss_mb()
    return res


def run_generator(n: int, seed: int, sample_every: int) -> Result:
    """Only the document stream: the cost and memory every method pays before dedup."""
    res = Result("generator only")
    res.rss_start = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    for doc in Corpus(seed).stream(n):
        res.total[doc.category] += 1
        res.docs += 1
        if res.docs % sample_every == 0:
            res.rss_samples.append(rss_mb())
    res.wall, res.cpu = time.perf_counter() - t0, time.process_time() - c0
    res.peak_rss = peak_rss_mb()
    return res


def _child(fn: Any, args: tuple[Any, ...], queue: Any) -> None:
    queue.put(fn(*args))


def in_child(fn: Any, *args: Any) -> Result:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    result: Result = queue.get()
    proc.join()
    return result


# ------------------------------------------------------------------------------------------ report


def report(res: Result) -> None:
    print(f"\n## {res.name}")
    if res.wall:
        print(f"- {res.docs:,} docs in {res.wall:.1f} s wall / {res.cpu:.1f} s CPU: "
              f"**{res.docs / res.wall:,.0f} docs/s** (wall), {res.docs / res.cpu:,.0f} docs/s (CPU)")
    samples = ", ".join(f"{x:.0f}" for x in res.rss_samples)
    print(f"- RSS: {res.rss_start:.0f} MB at start, then every 10%: {samples} MB; peak {res.peak_rss:.0f} MB")
    if res.state_bytes:
        print(f"- state on disk: {res.state_bytes / 1e6:.1f} MB = {res.state_bytes / max(res.kept, 1):,.0f} bytes "
              f"per kept article ({res.state_bytes / max(res.docs, 1):,.0f} per document seen)")
    if res.notes:
        print(f"- {res.notes}")
    if res.reasons:
        print(f"- matches by level: {dict(sorted(res.reasons.items()))}")
    if not res.flagged and not res.correct:
        return
    print("\n| category | docs | flagged | right | recall | precision | recall@0.8 | target |")
    print("|---|---|---|---|---|---|---|---|")
    all_flagged = sum(res.flagged.values())
    all_right = sum(res.correct.values())
    for cat in CATEGORIES:
        total, flagged, right = res.total[cat], res.flagged[cat], res.correct[cat]
        if cat in COPY_KINDS:
            recall = f"{right / total:.3f}" if total else "-"
            prec = f"{right / flagged:.3f}" if flagged else "-"
            r08 = f"{res.correct_at_08[cat] / total:.3f}" if total else "-"
            target = f"recall >= {TARGETS[cat]}" if cat in TARGETS else ""
        else:
            recall, prec, r08, target = "-", f"{flagged} false positive(s)", "-", "0 flagged"
        print(f"| {cat} | {total:,} | {flagged:,} | {right:,} | {recall} | {prec} | {r08} | {target} |")
    print(f"| **all** | {res.docs:,} | {all_flagged:,} | {all_right:,} | "
          f"{all_right / max(sum(res.total[c] for c in COPY_KINDS), 1):.3f} | "
          f"{all_right / max(all_flagged, 1):.4f} | | precision >= 0.99 |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the stream (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the datasketch baseline")
    parser.add_argument("--commit-interval", type=float, default=1.0,
                        help="seconds between commits of our store (NEWSCRAWL_DEDUP_COMMIT_INTERVAL; 0 = each doc)")
    parser.add_argument("--near", type=float, default=Thresholds.near, help="Jaccard threshold (default %(default)s)")
    parser.add_argument("--containment", type=float, default=Thresholds.containment,
                        help="containment threshold for excerpts (default %(default)s)")
    parser.add_argument("--cache-mb", type=int, default=DEDUP_CACHE_MB,
                        help="SQLite page cache of our store, MB (NEWSCRAWL_DEDUP_CACHE_MB; default %(default)s)")
    parser.add_argument("--merge-keys", type=int, default=DEDUP_MERGE_KEYS,
                        help="recent keys held before a merge (NEWSCRAWL_DEDUP_MERGE_KEYS; default %(default)s)")
    parser.add_argument("--ours-only", action="store_true",
                        help="only our method (no generator-only run, no baseline): for A/B runs of the settings")
    parser.add_argument("--anchor-mod", type=int, help="explore: another anchor sampling (power of two)")
    parser.add_argument("--head-words", type=int, help="explore: another head length for anchors")
    args = parser.parse_args(argv)
    params = PARAMS
    if args.anchor_mod or args.head_words:
        params = replace(PARAMS, anchor_mod=args.anchor_mod or PARAMS.anchor_mod,
                         head_words=args.head_words or PARAMS.head_words)
    every = max(1, args.docs // 10)
    print(f"# Dedup benchmark: {args.docs:,} documents, seed {args.seed}")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; sketch {params.version}")
    print(f"Mix per 100 docs: {MIX}; thresholds: Jaccard {args.near}, containment {args.containment}")
    ours = in_child(run_ours, args.docs, args.seed, every, params, args.commit_interval,
                    Thresholds(near=args.near, containment=args.containment), args.cache_mb, args.merge_keys)
    results = [ours] if args.ours_only else [in_child(run_generator, args.docs, args.seed, every), ours]
    if not args.no_baseline and not args.ours_only:
        results.append(in_child(run_datasketch, args.docs, args.seed, every))
    for res in results:
        report(res)
    print(f"\nLoad average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
