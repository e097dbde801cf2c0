"""Tests for keras_wgan.data.progress: the progress bar of long reads."""

import keras

from keras_wgan.data import progress
import pytest

pytestmark = pytest.mark.backend_independent


def test_only_long_verbose_reads_show_progress(monkeypatch):
    assert progress.progress_bar(progress.PROGRESS_MIN, True) is None
    assert progress.progress_bar(10**6, False) is None
    bar = progress.progress_bar(progress.PROGRESS_MIN + 1, True)
    assert isinstance(bar, keras.utils.Progbar)
    assert bar.target == progress.PROGRESS_MIN + 1
    monkeypatch.setattr(progress, "PROGRESS_MIN", 2)
    assert progress.progress_bar(3, True).target == 3
