"""Snapshot tests of the main screens (pytest-textual-snapshot). The scenes are the same ones
`make screenshots` renders for the README. Update with --snapshot-update after reviewing
the report."""

from __future__ import annotations

import pytest

from msgsvc_tui.tui.screenshots import SCENES


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_scene(snap_compare, scene):
    assert snap_compare(scene.app(), terminal_size=scene.size, run_before=scene.run_before)
