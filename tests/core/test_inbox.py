"""The inbox journey both ingest stages share: what a run takes, how a file that is not read is refused, and the
durable archive moves (the stages' own tests run it end to end, killed at every step)."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kokemus_docs.core import inbox as inbox_module
from kokemus_docs.core.inbox import CLAIM_DIR, Inbox, NotRead, free_names


@pytest.fixture
def stage(tmp_path):
    (tmp_path / "inbox").mkdir()
    return Inbox(tmp_path / "inbox", tmp_path / "rejected", suffixes=(".pdf", ".csv"), limit=1000,
                 archives=(tmp_path / "processed",))


def test_left_over_files_come_first_then_the_inbox_by_name(stage, tmp_path):
    (stage.inbox / "b.pdf").write_bytes(b"b")
    (stage.inbox / "A.CSV").write_bytes(b"a")
    (stage.inbox / "notes.txt").write_bytes(b"not taken")
    stage.claim_dir.mkdir()
    (stage.claim_dir / "z.pdf").write_bytes(b"z")
    sources, missing = stage.collect([])
    assert [(s.path.name, s.left_over, s.from_inbox) for s in sources] == [
        ("z.pdf", True, False), ("A.CSV", False, True), ("b.pdf", False, True)]
    assert all(s.moves for s in sources) and missing == []
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"e")
    sources, missing = stage.collect([elsewhere, elsewhere, tmp_path / "gone.pdf"])
    assert [s.path for s in sources] == [elsewhere.resolve()] and not sources[0].moves
    assert missing == [tmp_path / "gone.pdf"]


def test_a_claimed_file_is_read_once_with_its_hash(stage):
    (stage.inbox / "a.pdf").write_bytes(b"form")
    [source], _ = stage.collect([])
    stage.claim(source)
    assert source.claimed and source.path == stage.claim_dir / "a.pdf" and not (stage.inbox / "a.pdf").exists()
    assert stage.read(source) == b"form" and source.sha256 == hashlib.sha256(b"form").hexdigest()
    copy = stage.archive_copy(source, stage.archives[0])
    assert copy.read_bytes() == b"form" and stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stage.is_copy_of(copy, source)
    stage.remove_original(source)
    stage.remove_empty_claim_dir()
    assert os.listdir(stage.inbox) == []


def test_a_link_is_refused_unread_and_only_the_link_removed(stage, tmp_path):
    target = tmp_path / "secret.pdf"
    target.write_bytes(b"not yours")
    os.symlink(target, stage.inbox / "link.pdf")
    [source], _ = stage.collect([])
    stage.claim(source)
    with pytest.raises(NotRead) as refused:
        stage.read(source)
    assert refused.value.is_link and source.data is None
    assert stage.refuse(source) is None
    assert os.listdir(stage.claim_dir) == [] and target.read_bytes() == b"not yours"


def test_a_fifo_and_a_file_too_large_go_to_rejected_unread(stage):
    os.mkfifo(stage.inbox / "pipe.pdf")
    (stage.inbox / "big.pdf").write_bytes(b"x" * 1001)
    sources, _ = stage.collect([])
    reasons = []
    for source in sources:
        stage.claim(source)
        with pytest.raises(NotRead) as refused:
            stage.read(source)
        reasons.append((refused.value.mode is not None and stat.S_ISFIFO(refused.value.mode), refused.value.size))
        assert stage.refuse(source) == stage.rejected / source.name
    assert reasons == [(False, 1001), (True, None)]
    assert sorted(os.listdir(stage.rejected)) == ["big.pdf", "pipe.pdf"]
    assert stat.S_IMODE(os.lstat(stage.rejected / "big.pdf").st_mode) == 0o600


def test_a_file_from_elsewhere_is_never_moved_or_removed(stage, tmp_path):
    elsewhere = tmp_path / "mine.pdf"
    elsewhere.write_bytes(b"form")
    [source], _ = stage.collect([elsewhere])
    stage.claim(source)
    stage.read(source)
    assert stage.archive_moving(source, stage.archives[0]) is None
    stage.remove_original(source)
    assert elsewhere.read_bytes() == b"form"


def test_moves_never_overwrite_and_are_fsynced(stage, monkeypatch):
    synced = []
    monkeypatch.setattr(inbox_module, "fsync_dir", lambda folder: synced.append(Path(folder).name))
    folder = stage.archives[0]
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"earlier")
    (stage.inbox / "a.pdf").write_bytes(b"later")
    [source], _ = stage.collect([])
    stage.claim(source)
    assert stage.archive_moving(source, folder) == folder / "a-2.pdf"
    assert (folder / "a.pdf").read_bytes() == b"earlier" and synced == ["processed", CLAIM_DIR]


def test_stray_temps_are_removed_from_every_folder_of_the_journey(stage):
    month = stage.archives[0] / "2026-10"
    month.mkdir(parents=True)
    stage.claim_dir.mkdir()
    for folder in (stage.inbox, stage.claim_dir, month):
        (folder / ".kokemus-abc.tmp").write_bytes(b"half")
    (month / "kept.pdf").write_bytes(b"kept")
    assert stage.remove_stray_temps() == 3
    assert os.listdir(month) == ["kept.pdf"]


def test_only_a_row_recorded_after_the_claim_is_the_interrupted_runs_own(stage):
    (stage.inbox / "a.pdf").write_bytes(b"form")
    stage.claim_dir.mkdir()
    os.rename(stage.inbox / "a.pdf", stage.claim_dir / "a.pdf")
    [source], _ = stage.collect([])
    stage.read(source)
    claimed = datetime.fromtimestamp(int(source.claimed_at))
    assert stage.committed_before_claim(source, claimed.isoformat())
    assert stage.committed_before_claim(source, (claimed + timedelta(seconds=5)).isoformat())
    assert not stage.committed_before_claim(source, (claimed - timedelta(days=1)).isoformat())
    assert not stage.committed_before_claim(source, "not a time")


def test_any_name_fits_the_archive_with_a_suffix():
    long_name = "å" * 125 + ".pdf"
    first, second = list(zip(range(2), free_names(long_name), strict=False))
    assert len(os.fsencode(first[1])) <= 240 and first[1].endswith(".pdf")
    assert second[1] == first[1][:-4] + "-2.pdf" and len(os.fsencode(second[1])) <= 255
