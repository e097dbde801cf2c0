"""The linear probe: a softmax regression on frozen features."""

import numpy as np
import pytest

from keras_wgan.quality import linear_probe


def _clusters(count, num_classes=3, spread=0.3, seed=0, dims=4):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, count)
    centres = 3.0 * np.eye(num_classes, dims)
    features = centres[labels] + spread * rng.normal(size=(count, dims))
    return features, labels


def test_separable_classes_are_found_and_noise_is_at_chance():
    train, train_labels = _clusters(300)
    test, test_labels = _clusters(300, seed=1)
    assert linear_probe(train, train_labels, test, test_labels, epochs=10,
                        batch_size=30, learning_rate=0.05) == 1.0
    noise = np.random.default_rng(2).normal(size=(300, 4))
    accuracy = linear_probe(noise, train_labels, test, test_labels,
                            epochs=10, batch_size=30, learning_rate=0.05)
    assert 0.2 < accuracy < 0.5  # 3 classes: chance is 1/3


def test_features_are_standardised_with_the_train_statistics():
    # Scaled and shifted alike, train and test give the same probe.
    train, train_labels = _clusters(200, spread=1.5)
    test, test_labels = _clusters(200, seed=1, spread=1.5)
    plain = linear_probe(train, train_labels, test, test_labels, epochs=3,
                         batch_size=20)
    moved = linear_probe(1e3 * train + 50, train_labels, 1e3 * test + 50,
                         test_labels, epochs=3, batch_size=20)
    assert plain == pytest.approx(moved, abs=0.011)


def test_bad_inputs_are_one_line():
    train, labels = _clusters(20)
    with pytest.raises(ValueError, match=r"test_features must have 4"):
        linear_probe(train, labels, train[:, :3], labels)
    with pytest.raises(ValueError, match=r"train_labels must be integers"):
        linear_probe(train, labels.astype(float), train, labels)
    with pytest.raises(ValueError, match=r"train_features must have shape"):
        linear_probe(train[0], labels, train, labels)
    with pytest.raises(ValueError, match="contains NaN"):
        linear_probe(train, labels, np.full_like(train, np.nan), labels)
    with pytest.raises(ValueError, match="epochs must be"):
        linear_probe(train, labels, train, labels, epochs=0)
