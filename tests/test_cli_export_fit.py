"""``iamviz export`` fits a PNG that would be too large at its natural size (the whole graph of a large account)
instead of failing; a size the user chose is kept, and refused with one line when it is too large."""

from __future__ import annotations

import struct

import pytest

from iamviz.cli import main

pytestmark = pytest.mark.gui


def _png_size(path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


@pytest.fixture
def small_limits(monkeypatch, qapp):
    """Images may have at most 800 px a side; a too-large drawing is fitted into 500 (the classroom sample's page
    is ~990 px wide at scale 1)."""
    from iamviz.render import export as render_export

    monkeypatch.setattr(render_export, "MAX_PIXELS", 800)
    monkeypatch.setattr(render_export, "FIT_PX", 500)


def test_a_png_too_large_at_scale_1_is_fitted_and_the_note_says_so(small_limits, tmp_path, capsys):
    out = tmp_path / "big.png"
    assert main(["export", "sample:classroom", "-o", str(out)]) == 0
    width, height = _png_size(out)
    assert max(width, height) <= 500 and max(width, height) >= 490
    err = capsys.readouterr().err
    assert "note: the drawing is" in err and f"written {width} px wide" in err and "--focus" in err


def test_a_scale_the_user_chose_is_kept_and_a_too_large_one_is_one_line(small_limits, tmp_path, capsys):
    out = tmp_path / "big.png"
    assert main(["export", "sample:classroom", "-o", str(out), "--scale", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("iamviz: error:") and "too large" in err and err.count("\n") == 1
    assert not out.exists()
    assert main(["export", "sample:classroom", "-o", str(out), "--width", "400"]) == 0
    assert _png_size(out)[0] == 400
    assert "note:" not in capsys.readouterr().err


def test_a_drawing_that_fits_is_written_at_its_natural_size(qapp, tmp_path, capsys):
    out = tmp_path / "classroom.png"
    assert main(["export", "sample:classroom", "-o", str(out)]) == 0
    assert "note:" not in capsys.readouterr().err
    scaled = tmp_path / "classroom-1.png"
    assert main(["export", "sample:classroom", "-o", str(scaled), "--scale", "1"]) == 0
    assert _png_size(out) == _png_size(scaled)
