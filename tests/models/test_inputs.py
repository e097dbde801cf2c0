"""keras_wgan.models.inputs: what fit takes, as the step's batches."""

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan.models import inputs
from keras_wgan.nets import architectures
from tests.helpers import small_models


def _toy_gan(n_critic=2, seed=0):
    return keras_wgan.WGAN(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                           keras_wgan.toy.toy_generator(2, 2, width=8,
                                                        depth=1),
                           n_critic=n_critic, seed=seed)


def _conditional_gan():
    return keras_wgan.ConditionalWGANGP(
        architectures.mnist_critic(width=2, num_classes=3),
        architectures.mnist_generator(4, width=2, num_classes=3),
        num_classes=3, n_critic=2, seed=0)


def test_arrays_become_steps_of_n_critic_batches_in_a_seeded_order():
    x = np.arange(40, dtype="float32").reshape(20, 2) / 40
    samples = inputs.Samples(_toy_gan(n_critic=2, seed=3))
    data, batch_size, kwargs = samples.prepare(x, None, 4, {"epochs": 2})
    assert batch_size is None
    assert kwargs == {"epochs": 2, "shuffle": False, "steps_per_epoch": 3}
    steps = [data[step][0] for step in range(3)]
    assert [len(step) for step in steps] == [8, 8, 4]
    # One pass: every sample once, in an order drawn from the seed.
    np.testing.assert_array_equal(
        np.sort(np.concatenate(steps)[:, 0]), np.sort(x[:, 0]))
    again, _, _ = inputs.Samples(_toy_gan(seed=3)).prepare(x, None, 4, {})
    np.testing.assert_array_equal(again[0][0], steps[0])
    other, _, _ = inputs.Samples(_toy_gan(seed=4)).prepare(x, None, 4, {})
    assert not np.array_equal(other[0][0], steps[0])


def test_a_resumed_epoch_reads_the_batches_of_an_uninterrupted_run():
    x = np.random.default_rng(0).uniform(-1, 1, (24, 2)).astype("float32")
    samples = inputs.Samples(_toy_gan(seed=1))
    whole, _, _ = samples.prepare(x, None, 4, {})
    resumed, _, kwargs = samples.prepare(x, None, 4, {"initial_epoch": 2})
    assert kwargs["steps_per_epoch"] == 3
    for step in range(3):
        np.testing.assert_array_equal(resumed[step][0], whole[6 + step][0])


def test_array_input_is_checked_before_any_step():
    samples = inputs.Samples(_toy_gan(n_critic=4))
    with pytest.raises(ValueError, match=r"^batch_size must be None when x "):
        samples.prepare(iter([]), None, 8, {})
    with pytest.raises(ValueError, match=r"^y must be None: WGAN is "):
        samples.prepare(np.zeros((8, 2)), np.zeros(8), 2, {})
    with pytest.raises(ValueError, match=(
            r"^batch_size=4 with n_critic=4 leaves a last step of 2 images "
            r"for 18 images")):
        samples.prepare(np.zeros((18, 2), "float32"), None, 4, {})
    images = inputs.Samples(keras_wgan.WGAN(*small_models(), n_critic=1))
    with pytest.raises(ValueError, match=r"^validation_data values must "
                                         r"lie in \[-1, 1\]"):
        images.prepare(np.zeros((8, 28, 28, 1), "float32"), None, 2,
                       {"validation_data": np.full((4, 28, 28, 1), 5.0)})


def test_validation_arrays_get_the_step_batch_size():
    samples = inputs.Samples(_toy_gan(n_critic=3))
    held_out = np.zeros((6, 2), "float32")
    _, _, kwargs = samples.prepare(np.zeros((12, 2), "float32"), None, 2,
                                   {"validation_data": held_out})
    assert kwargs["validation_batch_size"] == 6
    assert kwargs["validation_data"] is held_out


def test_generator_batches_are_wrapped_and_checked_as_they_come():
    samples = inputs.Samples(keras_wgan.WGAN(*small_models()))
    good = np.zeros((4, 28, 28, 1), "float32")
    batches = samples.checked_generator(iter([good, (good,), 3 * good + 2]),
                                        "x")
    assert next(batches)[0] is good
    assert next(batches)[0] is good
    with pytest.raises(ValueError, match=r"^x \(batch 3\) values must lie"):
        next(batches)


def test_unpack_returns_the_images_and_refuses_what_does_not_fit():
    samples = inputs.Samples(_toy_gan())
    images = keras.ops.ones((4, 2))
    assert samples.unpack((images,)) is images
    with pytest.raises(ValueError, match=r"^the dataset must yield images "):
        samples.unpack((images, keras.ops.zeros((4,), "int32")))
    with pytest.raises(ValueError, match=r"^batches must hold images of "
                                         r"shape \(2,\)"):
        samples.unpack((keras.ops.ones((4, 3)),))
    with pytest.raises(ValueError, match=r"^images must be floating point"):
        samples.unpack((keras.ops.ones((4, 2), "int32"),))


def test_labelled_samples_keep_each_image_with_its_label():
    gan = _conditional_gan()
    samples = inputs.LabelledSamples(gan)
    x = np.linspace(-1, 1, 16, dtype="float32")[:, None, None, None]
    x = np.broadcast_to(x, (16, 28, 28, 1)).copy()
    y = np.arange(16) % 3
    data, _, _ = samples.prepare(x, y, 4, {})
    images, labels = data[0]
    assert images.shape == (8, 28, 28, 1) and labels.dtype == np.int32
    index = np.round((images[:, 0, 0, 0] + 1) * 15 / 2).astype(int)
    np.testing.assert_array_equal(labels, y[index])
    real = samples.unpack((keras.ops.convert_to_tensor(images),
                           keras.ops.convert_to_tensor(labels, "int64")))
    assert keras.backend.standardize_dtype(real[1].dtype) == "int32"


def test_labelled_samples_refuse_missing_or_bad_labels():
    samples = inputs.LabelledSamples(_conditional_gan())
    x = np.zeros((8, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match=r"^y is missing: ConditionalWGANGP"):
        samples.check_y(x, None)
    with pytest.raises(ValueError, match=r"^y must be None when x is a "):
        samples.check_y(iter([]), np.zeros(8))
    with pytest.raises(ValueError, match=r"^validation_data must be "
                                         r"\(images, labels\)"):
        samples.check_validation({"validation_data": x})
    with pytest.raises(ValueError, match=r"^validation_data labels must "):
        samples.check_validation({"validation_data": (x, np.full(8, 3))})
    batches = samples.checked_generator(iter([(x, np.zeros(8, int)), x]),
                                        "x")
    assert len(next(batches)) == 2
    with pytest.raises(ValueError, match=r"^x \(batch 2\) must be "
                                         r"\(images, labels\)"):
        next(batches)
    with pytest.raises(ValueError, match=r"^the dataset must yield "
                                         r"\(images, labels\) pairs"):
        samples.unpack((keras.ops.zeros((2, 28, 28, 1)),))


def test_check_labels_returns_int32_or_one_line():
    np.testing.assert_array_equal(inputs.check_labels([2, 0], 3, 2),
                                  np.int32([2, 0]))
    with pytest.raises(ValueError, match=r"^y is missing: pass one integer "
                                         r"class label in \[0, 3\)"):
        inputs.check_labels(None, 3, 2)
    with pytest.raises(ValueError) as error:
        inputs.check_labels([0, 1, 2], 3, 2, name="labels")
    assert "\n" not in str(error.value)
    assert str(error.value).startswith("labels ")


def test_a_model_with_its_own_inputs_trains_through_fit_inputs():
    # The hook a model with new inputs uses: its fit takes (x, weights)
    # arrays, weights repeating each sample, and the step sees samples.
    class RepeatedSamples(inputs.Samples):
        def check_y(self, x, y):
            return None if y is None else np.asarray(y, int)

        def array_dataset(self, x, y, batch_size, kwargs):
            if y is not None:
                x = np.repeat(x, y, axis=0)
            return super().array_dataset(x, None, batch_size, kwargs)

    class Recording(keras_wgan.WGAN):
        def fit_inputs(self):
            return RepeatedSamples(self)

        def after_critic_update(self, real):
            self.seen.append(keras.ops.convert_to_numpy(real).copy())

    gan = Recording(keras_wgan.toy.toy_critic(2, width=8, depth=1),
                    keras_wgan.toy.toy_generator(2, 2, width=8, depth=1),
                    n_critic=1, seed=0)
    gan.seen = []
    gan.compile(run_eagerly=True)
    x = np.float32([[0.5, 0.5], [-0.5, -0.5]])
    gan.fit(x, [3, 1], batch_size=4, shuffle=False, verbose=0)
    assert len(gan.seen) == 1
    np.testing.assert_array_equal(gan.seen[0], x[[0, 0, 0, 1]])
