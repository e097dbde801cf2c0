"""ConditionalWGANGP: WGAN-GP on (images, labels), one class on demand."""

import json

import keras
import numpy as np
import pytest
from keras import layers

import keras_wgan
from keras_wgan.data import batches
from keras_wgan.nets import conditional
from keras_wgan.nets import dcgan
from tests.helpers import variable_values

SHAPE = (4, 4, 1)


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _nets(num_classes=2, width=16, latent_dim=2):
    """A dense projection critic and generator of 4x4 grey images."""
    images = keras.Input(SHAPE, name="images")
    h = layers.Flatten()(images)
    h = layers.Dense(width)(h)
    h = layers.LeakyReLU(0.2)(h)
    score = layers.Dense(1, name="score")(h)
    critic = conditional.critic_model(images, h, score, num_classes, "critic")
    noise = keras.Input((latent_dim,), name="noise")
    inputs, x = conditional.generator_inputs(noise, num_classes)
    x = layers.Dense(width, activation="relu")(x)
    x = layers.Dense(16, activation="tanh")(x)
    generator = keras.Model(inputs, layers.Reshape(SHAPE)(x),
                            name="generator")
    return critic, generator


def _two_classes(count=128, seed=0):
    """Class 0: images of -0.8, class 1: of +0.8, each +-0.1 of noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 2
    images = np.where(labels == 0, -0.8, 0.8)[:, None, None, None]
    images = images + rng.uniform(-0.1, 0.1, (count,) + SHAPE)
    return images.astype("float32"), labels


def _gan(num_classes=2, **kwargs):
    kwargs = {"n_critic": 2, "seed": 0, **kwargs}
    return keras_wgan.ConditionalWGANGP(*_nets(num_classes), num_classes,
                                        **kwargs)


def test_penalty_is_closed_form_on_a_linear_projection_critic():
    # D(x, y) = w . x + b + e_y . x has the input gradient w + e_y: sample
    # i's norm is ||w + e_{y_i}|| wherever the interpolate lies, if the
    # critic scores it under the sample's own label.
    images = keras.Input(SHAPE)
    h = layers.Flatten()(images)
    score = layers.Dense(1, name="score")(h)
    critic = conditional.critic_model(images, h, score, 3, "critic")
    rng = np.random.default_rng(0)
    w = rng.normal(scale=0.2, size=(16, 1)).astype("float32")
    embeddings = rng.normal(scale=0.3, size=(3, 16)).astype("float32")
    critic.get_layer("score").set_weights([w, np.array([0.5], "float32")])
    critic.get_layer("projection").set_weights([embeddings])
    _, generator = _nets(3)
    gan = keras_wgan.ConditionalWGANGP(critic, generator, 3, gp_weight=7.0,
                                       seed=0)
    gan.compile()
    labels = np.array([0, 1, 2, 2, 0, 1], "int32")
    real = rng.uniform(-1, 1, (6,) + SHAPE).astype("float32")
    fake = rng.uniform(-1, 1, (6,) + SHAPE).astype("float32")
    loss, logs = gan.critic_objective((real, labels), (fake, labels))
    norms = np.linalg.norm(w[:, 0] + embeddings[labels], axis=1)
    penalty = 7.0 * np.mean((norms - 1.0) ** 2)

    def scores(x):
        flat = x.reshape(6, -1)
        return flat @ w[:, 0] + 0.5 + np.sum(embeddings[labels] * flat, 1)

    estimate = scores(real).mean() - scores(fake).mean()
    assert float(logs["gradient_penalty"]) == pytest.approx(penalty, rel=1e-5)
    assert float(logs["wasserstein_estimate"]) == pytest.approx(
        estimate, rel=1e-4, abs=1e-5)
    assert float(loss) == pytest.approx(penalty - estimate, rel=1e-4)
    # Scored under one label for all, the penalty would differ.
    wrong = 7.0 * np.mean((np.linalg.norm(w[:, 0] + embeddings[0]) - 1) ** 2)
    assert abs(wrong - penalty) > 0.1


def test_training_steps_log_the_penalty_identity():
    critic = dcgan.dcgan_critic((8, 8, 1), width=2, num_classes=3)
    generator = dcgan.dcgan_generator(4, (8, 8, 1), width=2, num_classes=3)
    gan = keras_wgan.ConditionalWGANGP(critic, generator, 3, n_critic=2,
                                       seed=0)
    gan.compile()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, 64)
    # The last quarter, images and labels, is held out for validation.
    history = gan.fit(x, y, batch_size=8, epochs=1, verbose=0,
                      validation_split=0.25)
    logs = {k: v[-1] for k, v in history.history.items()}
    assert set(logs) == {"critic_loss", "generator_loss", "gradient_penalty",
                         "wasserstein_estimate", "val_wasserstein_estimate"}
    assert all(np.isfinite(v) for v in logs.values())
    assert logs["critic_loss"] == pytest.approx(
        logs["gradient_penalty"] - logs["wasserstein_estimate"], rel=1e-4)
    assert int(gan.critic_optimizer.iterations) == 6  # 48 images
    assert int(gan.generator_optimizer.iterations) == 3
    # The class embeddings learn too.
    embeddings = gan.critic.get_layer("projection").embeddings
    assert np.any(_numpy(embeddings) != _numpy(
        critic.get_layer("projection").embeddings_initializer(
            embeddings.shape)))
    evaluated = gan.evaluate(x[:16], y[:16], batch_size=16, verbose=0,
                             return_dict=True)
    assert np.isfinite(evaluated["wasserstein_estimate"])


def test_it_learns_the_condition():
    # Class decides the image: a generator that ignored its labels would
    # give both classes the same mean pixel.
    x, y = _two_classes()
    gan = _gan()
    gan.compile(learning_rate=1e-2)
    gan.fit(x, y, batch_size=16, epochs=10, verbose=0)
    dark = gan.generate(64, labels=0, seed=1)
    bright = gan.generate(64, labels=1, seed=1)
    assert dark.mean() < -0.4 and bright.mean() > 0.4
    mixed = gan.generate(64, seed=1)  # the classes in turn
    np.testing.assert_array_less(mixed[0::2].mean(axis=(1, 2, 3)), 0.0)
    np.testing.assert_array_less(0.0, mixed[1::2].mean(axis=(1, 2, 3)))


class _Recording(keras_wgan.ConditionalWGANGP):
    """Records the real batch of every critic update."""

    def after_critic_update(self, real):
        self.seen.append(tuple(_numpy(t).copy() for t in real))


@pytest.mark.backends(
    "torch", reason="reads the batches eagerly, slow on JAX; the pairing is "
    "NumPy and the same on every backend")
def test_shuffled_batches_keep_each_image_with_its_label():
    x = np.linspace(-1, 1, 48, dtype="float32")[:, None, None, None]
    x = np.broadcast_to(x, (48,) + SHAPE).copy()
    y = np.arange(48) % 2
    gan = _Recording(*_nets(), 2, n_critic=2, seed=3)
    gan.seen = []
    gan.compile(run_eagerly=True)  # to read the batches as NumPy
    gan.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(gan.seen) == 12
    images = np.concatenate([images for images, _ in gan.seen])
    labels = np.concatenate([labels for _, labels in gan.seen])
    index = np.round((images[:, 0, 0, 0] + 1) * 47 / 2).astype(int)
    np.testing.assert_array_equal(labels, y[index])
    assert labels.dtype == np.int32
    # Two shuffled passes: each image once per pass, in another order.
    np.testing.assert_array_equal(np.sort(index[:48]), np.arange(48))
    assert not np.array_equal(index[:48], index[48:])


def test_datasets_of_pairs_train_and_validate():
    x, y = _two_classes(32)
    gan = _gan()
    gan.compile()

    def pairs():
        while True:
            yield x[:16], y[:16]

    class Pairs(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            part = slice(16 * index, 16 * index + 16)
            return x[part], y[part]

    gan.fit(pairs(), steps_per_epoch=2, verbose=0,
            validation_data=pairs(), validation_steps=1)
    history = gan.fit(Pairs(), epochs=1, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 4
    assert np.isfinite(history.history["wasserstein_estimate"][0])


def test_save_and_load_round_trip_continues_training(tmp_path):
    x, y = _two_classes(64)
    gan = _gan(seed=7)
    gan.compile()
    gan.fit(x, y, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "conditional.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras_wgan.ConditionalWGANGP
    assert loaded.num_classes == 2 and loaded.get_config()["num_classes"] == 2
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(
        gan.get_config(), sort_keys=True)
    for a, b in zip(variable_values(gan.variables),
                    variable_values(loaded.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    labels = np.array([1, 0, 0, 1], "int32")
    np.testing.assert_allclose(loaded.generate(4, labels=labels, seed=1),
                               gan.generate(4, labels=labels, seed=1),
                               atol=1e-6)
    # The stream continues where the saved model was: noise and labels.
    np.testing.assert_allclose(loaded.generate(4), gan.generate(4), atol=1e-6)
    history = loaded.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.critic_optimizer.iterations) == 16
    assert int(loaded.generator_optimizer.iterations) == 8
    assert np.isfinite(history.history["gradient_penalty"][0])


def test_generate_labels_and_class_grid():
    gan = _gan(num_classes=3)
    noise = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    by_default = gan.generate_from(noise)
    np.testing.assert_allclose(
        by_default, gan.generate_from(noise, [0, 1, 2, 0, 1]), atol=1e-6)
    np.testing.assert_allclose(
        gan.generate_from(noise, 2), gan.generate_from(noise, [2] * 5),
        atol=1e-6)
    assert not np.allclose(gan.generate_from(noise, 0),
                           gan.generate_from(noise, 1))
    np.testing.assert_array_equal(gan.generate(5, labels=1, seed=4),
                                  gan.generate(5, labels=1, seed=4))
    # 7 wanted: 3 columns of 3 classes, each column one noise vector.
    images, columns = gan.class_grid(7, seed=2)
    assert columns == 3 and images.shape == (9,) + SHAPE
    column_noise = _numpy(keras.random.normal((3, 2), seed=2))
    expected = gan.generate_from(np.tile(column_noise, (3, 1)),
                                 np.repeat([0, 1, 2], 3))
    np.testing.assert_allclose(images, expected, atol=1e-6)
    again, _ = gan.class_grid(7, seed=2)
    np.testing.assert_array_equal(images, again)
    # One image a class: the classes in order, one noise vector, wrapped
    # into rows of block_columns(3) = 3 (here a single row).
    images, columns = gan.class_grid(2, seed=2)
    assert columns == 3 and images.shape == (3,) + SHAPE
    np.testing.assert_allclose(images, gan.generate_from(
        np.tile(column_noise[:1], (3, 1)), [0, 1, 2]), atol=1e-6)


def test_moving_average_of_a_conditional_generator(tmp_path):
    """`generator_ema` on a conditional model: the average follows the
    formula, `generate` and `class_grid` draw from it, `raw=True` from the
    trained generator, and it saves and continues."""
    x, y = _two_classes(64)
    gan = _gan(generator_ema=0.5)
    assert gan.ema_generator is not None
    gan.compile()
    start = variable_values(gan.generator.trainable_weights)
    gan.fit(x, y, batch_size=8, epochs=1, verbose=0)  # 8 generator updates
    trained = variable_values(gan.generator.trainable_weights)
    # The copy is frozen; the generator has no non-trainable weights.
    average = variable_values(gan.ema_generator.weights)
    # Not the start, not the trained weights: between them.
    for w0, w, mean in zip(start, trained, average, strict=True):
        assert not np.allclose(mean, w) and not np.allclose(mean, w0)
    noise = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    labels = np.array([0, 1, 1, 0], "int32")
    from_average = _numpy(gan.ema_generator([noise, labels]))
    from_generator = _numpy(gan.generator([noise, labels]))
    np.testing.assert_allclose(gan.generate_from(noise, labels),
                               from_average, atol=1e-6)
    np.testing.assert_allclose(gan.generate_from(noise, labels, raw=True),
                               from_generator, atol=1e-6)
    assert not np.allclose(from_average, from_generator)
    np.testing.assert_allclose(
        gan.generate(4, labels=labels, seed=3),
        gan.generate_from(_numpy(keras.random.normal((4, 2), seed=3)),
                          labels), atol=1e-6)
    images, _ = gan.class_grid(2, seed=0)
    np.testing.assert_allclose(
        images, gan.generate_from(
            np.tile(_numpy(keras.random.normal((1, 2), seed=0)), (2, 1)),
            [0, 1]), atol=1e-6)
    path = str(tmp_path / "ema.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["generator_ema"] == 0.5
    np.testing.assert_allclose(loaded.generate_from(noise, labels),
                               from_average, atol=1e-6)


def _one_line(call, pattern):
    with pytest.raises(ValueError, match=pattern) as error:
        call()
    # JAX appends a note on its traceback filtering to errors raised while
    # it traces the step: the first line is ours.
    assert str(error.value).split("\n-----")[0].count("\n") == 0


@pytest.mark.parametrize("y, pattern", [
    (None, r"^y is missing: ConditionalWGANGP trains on labelled images; "
           r"pass fit\(x, y\)"),
    (np.zeros(16, "float32"), r"^y must hold integer class labels in "
                              r"\[0, 2\), got dtype float32"),
    (np.zeros(15, "int64"), r"^y must have shape \(16,\), one label per "
                            r"image, got shape \(15,\)"),
    (np.zeros((16, 1), "int64"), r"^y must have shape \(16,\)"),
    (np.full(16, 2), r"^y must hold class labels in \[0, 2\), got \[2, 2\]"),
    (np.full(16, -1), r"^y must hold class labels in \[0, 2\), got "
                      r"\[-1, -1\]"),
])
def test_bad_labels_are_one_line(y, pattern):
    gan = _gan()
    gan.compile()
    x, _ = _two_classes(16)
    _one_line(lambda: gan.fit(x, y, batch_size=8, verbose=0), pattern)
    assert int(gan.critic_optimizer.iterations) == 0


def test_bad_datasets_and_validation_are_one_line():
    gan = _gan()
    gan.compile()
    x, y = _two_classes(16)

    def images_only():
        while True:
            yield x

    def bad_labels():
        while True:
            yield x, np.full(16, 5)

    _one_line(lambda: gan.fit(images_only(), steps_per_epoch=1, verbose=0),
              r"must be \(images, labels\) for ConditionalWGANGP")
    _one_line(lambda: gan.fit(bad_labels(), steps_per_epoch=1, verbose=0),
              r"^x \(batch 1\) labels must hold class labels in \[0, 2\)")
    _one_line(lambda: gan.fit(images_only(), y, steps_per_epoch=1,
                              verbose=0),
              "^y must be None when x is a dataset")
    _one_line(lambda: gan.fit(x, y, batch_size=8, verbose=0,
                              validation_data=x),
              r"^validation_data must be \(images, labels\)")
    _one_line(lambda: gan.fit(x, y, batch_size=8, verbose=0,
                              validation_data=(x, y[:3])),
              r"^validation_data labels must have shape \(16,\)")
    _one_line(lambda: gan.generate(3, labels=[0, 1]),
              r"^labels must have shape \(3,\)")
    _one_line(lambda: gan.generate(2, labels=0.5),
              r"^labels must hold integer class labels")


def test_networks_must_take_labels_and_agree_on_num_classes():
    critic, generator = _nets(2)
    _one_line(lambda: keras_wgan.ConditionalWGANGP(critic, generator, 3),
              r"^num_classes=3 differs from the critic's 2 "
              r"\(layer 'projection'\)")
    _one_line(lambda: keras_wgan.ConditionalWGANGP(critic, generator, 1),
              r"^num_classes must be an integer >= 2, got 1")
    plain_critic, plain_generator = _nets(None)
    _one_line(lambda: keras_wgan.ConditionalWGANGP(plain_critic, generator,
                                                   2),
              r"^critic must take \[inputs, labels\] with int labels")
    _one_line(lambda: keras_wgan.ConditionalWGANGP(critic, plain_generator,
                                                   2),
              r"^generator must take \[inputs, labels\]")
    # The unconditional models point to this one.
    _one_line(lambda: keras_wgan.WGANGP(plain_critic, plain_generator).fit(
        np.zeros((16,) + SHAPE, "float32"), np.zeros(16, "int64")),
        r"^y must be None: WGANGP is unconditional.*ConditionalWGANGP\.$")


def test_unconditional_models_name_the_conditional_one_for_pairs():
    gan = keras_wgan.WGAN(*_nets(None), n_critic=1)
    gan.compile()

    def pairs():
        while True:
            yield np.zeros((8,) + SHAPE, "float32"), np.zeros(8, "int64")

    _one_line(lambda: gan.fit(pairs(), steps_per_epoch=1, verbose=0),
              r"must yield images only: WGAN is unconditional.*"
              r"keras_wgan\.ConditionalWGANGP\.")


def test_shuffled_batches_with_labels_resume_in_the_same_order():
    images = np.arange(10, dtype="float32")[:, None]
    labels = np.arange(10) % 3
    run = batches.ShuffledBatches(images, 4, seed=5, labels=labels)
    resumed = batches.ShuffledBatches(images, 4, seed=5, labels=labels,
                                      first_step=4)
    for step in range(4):
        batch_images, batch_labels = resumed[step]
        np.testing.assert_array_equal(batch_images, run[4 + step][0])
        np.testing.assert_array_equal(batch_labels, run[4 + step][1])
        np.testing.assert_array_equal(batch_labels,
                                      batch_images[:, 0].astype(int) % 3)
    # The images alone are read in the same order as with labels.
    unlabelled = batches.ShuffledBatches(images, 4, seed=5)
    np.testing.assert_array_equal(unlabelled[5][0], run[5][0])
    with pytest.raises(ValueError, match="labels must hold one label per "
                                         r"image \(10\), got 9"):
        batches.ShuffledBatches(images, 4, seed=5, labels=labels[:9])
