"""The "Writing a variant" examples of docs/guides/python-api.md, as written.

The code blocks are read from the page, so the page and this test cannot
drift apart: each runs in one namespace, in a temporary folder, and what it
trained is checked here.
"""

import pathlib
import re

import keras
import numpy as np
import pytest

import keras_wgan

_GUIDE = (pathlib.Path(__file__).parents[2] / "docs" / "guides"
          / "python-api.md")


def _examples():
    """The ```python blocks of the guide's "Writing a variant" section."""
    text = _GUIDE.read_text(encoding="utf-8")
    section = text.split("\n## Writing a variant\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_section_has_both_examples():
    blocks = _examples()
    assert len(blocks) == 2
    assert "def critic_penalty(self, real, fake):" in blocks[0]
    assert "def after_critic_update(self, real):" in blocks[1]


def test_the_variant_examples_train_save_and_clip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "variant_guide"}
    for block in _examples():
        exec(compile(block, str(_GUIDE), "exec"), namespace)
    # WGAN-LP: its penalty is added to the critic loss and logged.
    gan, history = namespace["gan"], namespace["history"].history
    assert sorted(history) == ["critic_loss", "generator_loss",
                               "gradient_penalty", "wasserstein_estimate"]
    assert int(gan.generator_optimizer.iterations) == 2 * 2560 // (5 * 64)
    logs = {name: values[-1] for name, values in history.items()}
    assert logs["gradient_penalty"] >= 0
    assert logs["critic_loss"] == pytest.approx(
        logs["gradient_penalty"] - logs["wasserstein_estimate"], abs=1e-4)
    # ... and the class saves and loads, with the weights it trained.
    loaded = keras.models.load_model(tmp_path / "wgan_lp.keras")
    assert type(loaded) is namespace["WGANLP"]
    for saved, restored in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(saved),
                                      keras.ops.convert_to_numpy(restored))
    # ClippedWGAN: its step after each critic update clips every weight,
    # and compile took its default optimizer.
    clipped = namespace["clipped"]
    assert isinstance(clipped.critic_optimizer, keras.optimizers.RMSprop)
    assert int(clipped.critic_optimizer.iterations) == 5 * 2 * 2560 // 320
    weights = np.concatenate([
        np.ravel(keras.ops.convert_to_numpy(w))
        for w in clipped.critic.trainable_weights])
    assert np.max(np.abs(weights)) <= 0.01 + 1e-7
    assert np.mean(np.isclose(np.abs(weights), 0.01)) > 0.1
    assert isinstance(clipped, keras_wgan.WassersteinGAN)
