"""The claim parse cache (`dossier.parse_cache`): it only ever skips work, never changes a result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from render_helpers import tree

from dossier.errors import DossierError
from dossier.load import load_dossier
from dossier.parse_cache import CACHE_DIR, CACHE_FOLDER
from dossier.render import incremental, noop
from dossier.render.build import build_site
from dossier.render.environment import THEME_DIR

CLAIM = "claims/crue-de-valmont/evacues-400-600.yaml"


def cache_file(root: Path) -> Path:
    """The parse cache of the folder of CLAIM."""
    import pickle

    for path in (root / CACHE_DIR / CACHE_FOLDER).glob("*.pickle"):
        if pickle.loads(path.read_bytes())["folder"] == "claims/crue-de-valmont":
            return path
    raise AssertionError("no parse cache for claims/crue-de-valmont")


def clean_tree(root: Path) -> dict[str, bytes]:
    """The site a build from nothing makes, in a copy of the dossier without caches."""
    fresh = root.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("site", CACHE_DIR))
    build_site(fresh)
    return tree(fresh / "site")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_cached_build_equals_a_clean_one(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    assert cache_file(dossier_dir).is_file()
    edit(dossier_dir / CLAIM, "Aucune source publique", "Aucune source officielle")
    build_site(dossier_dir)
    assert tree(dossier_dir / "site") == clean_tree(dossier_dir)


def test_an_edited_file_is_read_again(dossier_dir: Path) -> None:
    before = load_dossier(dossier_dir, cache="use")
    edit(dossier_dir / CLAIM, "verdict: unverifiable", "verdict: unverified")
    after = load_dossier(dossier_dir, cache="use")
    old = {c.key: c for c in before.claims}["crue-de-valmont/evacues-400-600"]
    new = {c.key: c for c in after.claims}["crue-de-valmont/evacues-400-600"]
    assert (old.verdict, new.verdict) == ("unverifiable", "unverified")
    assert after == load_dossier(dossier_dir)  # the same as reading without any cache


def test_a_file_with_an_error_stays_an_error(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    edit(dossier_dir / CLAIM, "kind: quantity", "kind: quantité")
    with pytest.raises(DossierError) as first:
        build_site(dossier_dir)
    with pytest.raises(DossierError) as second:
        build_site(dossier_dir)
    assert first.value.problems == second.value.problems
    assert any(p.path == CLAIM and p.line == 5 and "quantité" in p.message for p in second.value.problems)


def test_a_change_to_what_claims_refer_to_revalidates_unchanged_files(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    edit(dossier_dir / "entities.yaml", "valmont:\n", "valmont-ville:\n")
    with pytest.raises(DossierError) as error:
        build_site(dossier_dir)
    assert any(p.path == CLAIM and "entity 'valmont' is not in entities.yaml" in p.message
               for p in error.value.problems)


def test_a_corrupt_cache_is_ignored(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    expected = tree(dossier_dir / "site")
    cache = cache_file(dossier_dir)
    for garbage in (b"", b"not a pickle", cache.read_bytes()[: len(cache.read_bytes()) // 2]):
        cache.write_bytes(garbage)
        edit(dossier_dir / CLAIM, "Aucune source publique", "Aucune source officielle")
        build_site(dossier_dir)
        edit(dossier_dir / CLAIM, "Aucune source officielle", "Aucune source publique")
        build_site(dossier_dir)
        assert tree(dossier_dir / "site") == expected


def test_a_poisoned_cache_from_another_context_is_not_trusted(dossier_dir: Path) -> None:
    import pickle

    build_site(dossier_dir)
    cache = cache_file(dossier_dir)
    data = pickle.loads(cache.read_bytes())
    data["context"] = "something else"
    data["entries"] = {CLAIM: (*data["entries"][CLAIM][:2], ("x", None, [], []))}
    cache.write_bytes(pickle.dumps(data))
    assert load_dossier(dossier_dir, cache="use") == load_dossier(dossier_dir)


# ---------------------------------------------------------------- the no-op fast path (render/noop.py)

def test_an_unchanged_dossier_stops_after_the_stat_pass(dossier_dir: Path) -> None:
    first = build_site(dossier_dir)
    again = build_site(dossier_dir)
    assert [name for name, _ in again.timings] == ["noop"]
    assert (again.pages, again.rendered, again.written, again.problems) == (first.pages, 0, 0, first.problems)


def built_then_edited(dossier_dir: Path) -> tuple[Path, Path, tuple]:
    """The dossier built, then CLAIM's verdict changed: (root, output, the build's settings)."""
    root = dossier_dir.resolve()
    build_site(root)
    edit(root / CLAIM, "verdict: unverifiable", "verdict: false")
    return root, root / "site", noop.settings_key(root / "site", False, None)


def test_the_changes_a_child_process_finds_are_those_found_here(dossier_dir: Path) -> None:
    """A build looks for changes in a forked child (`noop.start_changes`) while it reads
    ahead: its answer is `noop.changes`', less the last build's stamps it does not need."""
    root, output, settings = built_then_edited(dossier_dir)
    here = noop.changes(root, output, THEME_DIR, settings)
    there = noop.start_changes(root, output, THEME_DIR, settings).result()
    assert here is not None and here[0] == {CLAIM} and there is not None
    del here[1]["inputs"]
    # All but the hashes of files too recent to trust by stamps, which depend on the moment.
    here[1]["now"], there[1]["now"] = here[1]["now"][0], there[1]["now"][0]
    assert there == here
    assert noop.start_changes(root, output, THEME_DIR, (*settings[:-1], "another python")).result() is None


def test_changes_started_before_the_build_are_its_own(dossier_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`dossier build` starts the stat pass before it loads the build's modules
    (`noop.start_build`); the build takes that answer instead of starting its own, unless it
    was asked about another build (another output, other settings)."""
    root, output, _ = built_then_edited(dossier_dir)
    started: list[tuple] = []
    real = noop.start_changes
    monkeypatch.setattr(noop, "start_changes", lambda *args: started.append(args) or real(*args))
    early = noop.start_build(dossier_dir, None, False, None)  # as the command line asks
    assert len(started) == 1 and started[0][:2] == (root, output)
    assert build_site(dossier_dir, changes=early).mode == "edit"
    assert len(started) == 1  # taken, not asked again
    assert build_site(dossier_dir, changes=noop.start_build(dossier_dir, None, False, None)).mode == "no-op"
    assert len(started) == 2
    # Started for a strict build, or for another output: not this build's answer.
    for other in (noop.start_build(dossier_dir, None, True, None),
                  noop.start_build(dossier_dir, dossier_dir / "elsewhere", False, None)):
        count = len(started)
        assert build_site(dossier_dir, changes=other).mode == "no-op"
        assert len(started) == count + 1  # its own, for this build


def test_the_state_read_ahead_stops_once_the_changes_show_it_needless(dossier_dir: Path) -> None:
    """A build reads the kept state while the child looks for changes; `needless` (asked
    along the way) stops the read when the answer is a no-op or a full build."""
    root = dossier_dir.resolve()
    build_site(root)
    asked: list[int] = []
    assert incremental.load_state(root, root / "site", lambda: asked.append(1) or True) is None
    assert asked == [1]
    state = incremental.load_state(root, root / "site", lambda: asked.append(1) or False)
    assert state is not None and state.entries and len(asked) >= 3


def test_without_fork_the_changes_are_found_here_when_asked(dossier_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Where there is no `os.fork` (Windows), nothing is started: the stat pass runs when the
    answer is asked for, and builds work as before."""
    root, output, settings = built_then_edited(dossier_dir)
    expected = noop.changes(root, output, THEME_DIR, settings)
    monkeypatch.delattr(noop.os, "fork")
    pending = noop.start_changes(root, output, THEME_DIR, settings)
    assert pending.ready()
    found = pending.result()
    assert found is not None and expected is not None and found[0] == expected[0] == {CLAIM}
    assert found[1]["now"][0] == expected[1]["now"][0]
    assert build_site(root).timings[0][0] != "noop"
    assert build_site(root).timings[0][0] == "noop"


def test_a_child_process_that_fails_to_find_the_changes_answers_unknown(
        dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, output, settings = built_then_edited(dossier_dir)

    def fails(*args):
        raise MemoryError

    with monkeypatch.context() as patched:
        patched.setattr(noop, "_changes", fails)  # the forked child inherits it
        assert noop.start_changes(root, output, THEME_DIR, settings).result() is None
    assert build_site(root).mode == "edit"  # the next build, its child sound, sees the edit
    assert build_site(root).timings[0][0] == "noop"


def test_a_page_removed_right_after_a_build_is_no_no_op_and_comes_back(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    page = dossier_dir / "site" / "claims" / "crue-de-valmont" / "evacues-400-600.html"
    original = page.read_bytes()
    page.unlink()  # within the time stamp tick of the build: its folder's listing tells
    assert build_site(dossier_dir).timings[0][0] != "noop"
    assert page.read_bytes() == original
    assert build_site(dossier_dir).timings[0][0] == "noop"


def test_a_page_replaced_by_hand_is_no_no_op_and_clean_restores_it(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    page = dossier_dir / "site" / "claims" / "crue-de-valmont" / "evacues-400-600.html"
    original = page.read_bytes()
    saved = page.with_name("edited.tmp")
    saved.write_bytes(original.replace(b"<", b"[", 1))  # saved as editors do: a new file renamed
    saved.replace(page)
    assert build_site(dossier_dir).timings[0][0] != "noop"
    build_site(dossier_dir, clean=True)
    assert page.read_bytes() == original


def test_an_edit_right_after_a_build_is_seen(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    edit(dossier_dir / CLAIM, "verdict: unverifiable", "verdict: unverified!")
    edit(dossier_dir / CLAIM, "verdict: unverified!", "verdict: unverifiablX")  # same size as before
    with pytest.raises(DossierError):
        build_site(dossier_dir)


def test_other_settings_are_not_a_no_op(dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(dossier_dir, search=False)
    assert build_site(dossier_dir, search=False).timings[0][0] == "noop"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert build_site(dossier_dir, search=False).rendered > 0
    assert build_site(dossier_dir, search=False, clean=True).rendered > 0


def test_a_search_shard_removed_by_hand_is_no_no_op_and_comes_back(dossier_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Of the search index only its top folders and entry files are stamped: a whole shard
    folder that goes changes `pagefind-shards/`, and the next build indexes it again."""
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    build_site(dossier_dir)
    shard = dossier_dir / "site" / "pagefind-shards" / "2"
    entry = (shard / search.ENTRY).read_bytes()
    shutil.rmtree(shard)
    assert build_site(dossier_dir).timings[0][0] != "noop"
    assert (shard / search.ENTRY).read_bytes() == entry
    assert build_site(dossier_dir).timings[0][0] == "noop"
