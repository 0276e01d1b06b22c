"""``python -m newscrawl.dedup``: explain a cluster, sizes, pruning."""

from __future__ import annotations

import json

from newscrawl.dedup.__main__ import main
from newscrawl.dedup.cluster import Deduplicator, Doc
from newscrawl.dedup.factory import open_store
from newscrawl.text.urls import url_id

TEXT = " ".join(f"La médiathèque de Quimperlé prolonge ses horaires d'ouverture le samedi, phrase {i}." for i in range(20))
FI = "https://www.franceinfo.fr/culture/livres/la-mediatheque-de-quimperle-prolonge-ses-horaires_6400777.html"
LP = "https://www.leparisien.fr/culture-loisirs/quimperle-mediatheque-30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYM.php"


def test_explain_a_url_of_a_cluster(tmp_path, capsys):
    store = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    dedup = Deduplicator(store)
    kept = Doc(id=url_id(FI), fetched=FI, text=TEXT)
    v = dedup.check(kept)
    dedup.commit_kept(kept.id, v.fp, kept.url_keys, 1000.0)
    copy = Doc(id=url_id(LP), fetched=LP, text=TEXT + " Publicité")
    dedup.record_duplicate(copy, dedup.check(copy), 2000.0)
    store.close()

    assert main(["--state-dir", str(tmp_path), "explain", LP + "?ito=rss"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cluster"] == url_id(FI)
    assert [(u["url"], u["reason"]) for u in out["urls"]] == [(FI, "kept"), (LP, "near")]
    assert main(["--state-dir", str(tmp_path), "explain", url_id(FI)]) == 0
    assert json.loads(capsys.readouterr().out)["urls"][0]["url"] == FI
    assert main(["--state-dir", str(tmp_path), "explain", "https://www.lefigaro.fr/inconnu-20240101"]) == 1
    assert "Unknown URL" in capsys.readouterr().err

    assert main(["--state-dir", str(tmp_path), "stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["articles"], stats["urls"]) == (1, 2)
    assert main(["--state-dir", str(tmp_path), "prune", "--older-than", "1d"]) == 0
    assert "1 article(s)" in capsys.readouterr().out


def test_a_bad_state_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "dedup.sqlite").write_bytes(b"garbage" * 200)
    assert main(["--state-dir", str(tmp_path), "stats"]) == 2
    assert "not a usable SQLite database" in capsys.readouterr().err
