"""keras_wgan.nets.conditional: projection critics, label-aware generators."""

import keras
import numpy as np
import pytest

from keras_wgan.nets import architectures
from keras_wgan.nets import conditional
from keras_wgan.nets import dcgan
from keras_wgan.nets import resnet

# (critic builder, generator builder, image shape), tiny.
BUILDERS = {
    "mnist": (lambda k: architectures.mnist_critic(width=2, num_classes=k),
              lambda k: architectures.mnist_generator(4, width=2,
                                                      num_classes=k),
              (28, 28, 1)),
    "dcgan": (lambda k: dcgan.dcgan_critic((8, 8, 1), width=2,
                                           num_classes=k),
              lambda k: dcgan.dcgan_generator(4, (8, 8, 1), width=2,
                                              num_classes=k),
              (8, 8, 1)),
    "resnet": (lambda k: resnet.resnet_critic((16, 16, 3), width=2,
                                              num_classes=k),
               lambda k: resnet.resnet_generator(4, (16, 16, 3), width=2,
                                                 num_classes=k),
               (16, 16, 3)),
}


# The same builders with factored classes: 6 = 2 x 3.
FACTORED = {
    "mnist": (lambda: architectures.mnist_critic(
                  width=2, num_classes=6, class_factors=(2, 3)),
              lambda: architectures.mnist_generator(
                  4, width=2, num_classes=6, class_factors=(2, 3)),
              (28, 28, 1)),
    "dcgan": (lambda: dcgan.dcgan_critic(
                  (8, 8, 1), width=2, num_classes=6, class_factors=(2, 3)),
              lambda: dcgan.dcgan_generator(
                  4, (8, 8, 1), width=2, num_classes=6, class_factors=(2, 3)),
              (8, 8, 1)),
    "resnet": (lambda: resnet.resnet_critic(
                   (16, 16, 3), width=2, num_classes=6, class_factors=(2, 3)),
               lambda: resnet.resnet_generator(
                   4, (16, 16, 3), width=2, num_classes=6,
                   class_factors=(2, 3)),
               (16, 16, 3)),
}


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_projection_critic_is_linear_plus_embedding_dot_features(name):
    make_critic, _, shape = BUILDERS[name]
    critic = make_critic(3)
    rng = np.random.default_rng(0)
    # Random embeddings (not their initial values) so the term matters.
    projection = critic.get_layer("projection")
    projection.embeddings.assign(
        rng.normal(size=projection.embeddings.shape).astype("float32"))
    images = rng.uniform(-1, 1, (6,) + shape).astype("float32")
    labels = np.array([0, 1, 2, 2, 1, 0], "int32")
    score_layer = critic.get_layer("score")
    features = _numpy(keras.Model(critic.inputs[0], score_layer.input)(images))
    kernel, bias = (_numpy(w) for w in score_layer.weights)
    embeddings = _numpy(projection.embeddings)
    expected = features @ kernel + bias + np.sum(
        embeddings[labels] * features, axis=1, keepdims=True)
    scores = _numpy(critic([images, labels]))
    assert scores.shape == (6, 1)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_generator_sees_the_label_one_hot_beside_the_noise(name):
    _, make_generator, shape = BUILDERS[name]
    generator = make_generator(5)
    assert [t.name for t in generator.inputs] == ["noise", "labels"]
    noise = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    labels = np.array([4, 0, 3, 1, 2], "int32")
    seen = keras.Model(generator.inputs,
                       generator.get_layer("noise_and_labels").output)
    np.testing.assert_array_equal(
        _numpy(seen([noise, labels])),
        np.concatenate([noise, np.eye(5, dtype="float32")[labels]], axis=1))
    # The same noise under other labels gives other images.
    same_noise = np.repeat(noise[:1], 5, axis=0)
    images = _numpy(generator([same_noise, np.arange(5, dtype="int32")],
                              training=False))
    assert images.shape == (5,) + shape
    assert np.abs(images - images[:1]).reshape(5, -1).max(axis=1)[1:].min() > 0


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_without_num_classes_nothing_changes(name):
    make_critic, make_generator, _ = BUILDERS[name]
    for make in (make_critic, make_generator):
        plain, conditioned = make(None), make(3)
        assert len(plain.inputs) == 1
        assert not any(isinstance(layer, (conditional.ClassProjection,
                                          conditional.ClassOneHot))
                       for layer in plain.layers)
        # The conditional network has the same weights (the generator's
        # first dense kernel reads K more inputs) plus, for the critic, the
        # (K, features) embeddings.
        plain_shapes = [tuple(w.shape) for w in plain.weights]
        shapes = [tuple(w.shape) for w in conditioned.weights
                  if "embeddings" not in w.path]
        assert len(shapes) == len(plain_shapes)
        differ = [(a, b) for a, b in zip(plain_shapes, shapes) if a != b]
        if make is make_critic:
            assert differ == []
            embedding = [w for w in conditioned.weights
                         if "embeddings" in w.path]
            features = conditioned.get_layer("score").input.shape[-1]
            assert [tuple(w.shape) for w in embedding] == [(3, features)]
        else:
            (before, after), = differ  # the first dense kernel
            assert after == (before[0] + 3, before[1])


def test_layers_round_trip_through_serialization():
    for layer in (conditional.ClassProjection(4, name="projection"),
                  conditional.ClassOneHot(4)):
        clone = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(layer))
        assert type(clone) is type(layer) and clone.num_classes == 4
    critic = BUILDERS["dcgan"][0](3)
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(critic))
    clone.set_weights(critic.get_weights())
    images = np.random.default_rng(2).uniform(-1, 1, (3, 8, 8, 1))
    labels = np.array([2, 0, 1], "int32")
    np.testing.assert_allclose(_numpy(clone([images, labels])),
                               _numpy(critic([images, labels])), atol=1e-6)


@pytest.mark.parametrize("build", [
    lambda: architectures.mnist_critic(width=2, num_classes=1),
    lambda: architectures.mnist_generator(4, width=2, num_classes=0),
    lambda: dcgan.dcgan_critic((8, 8, 1), width=2, num_classes=2.0),
    lambda: dcgan.dcgan_generator(4, (8, 8, 1), width=2, num_classes=True),
    lambda: resnet.resnet_critic((16, 16, 1), width=2, num_classes="10"),
    lambda: resnet.resnet_generator(4, (16, 16, 1), width=2, num_classes=1),
])
def test_bad_num_classes_is_one_line(build):
    with pytest.raises(ValueError) as error:
        build()
    message = str(error.value)
    assert message.startswith("num_classes must be an integer >= 2")
    assert "\n" not in message


def test_factor_one_hot_reads_mixed_radix_digits():
    labels = np.arange(24, dtype="int32")
    rows = _numpy(conditional.factor_one_hot(labels, 24, (2, 3, 4)))
    assert rows.shape == (24, 9)
    expected = np.concatenate([np.eye(2)[labels // 12],
                               np.eye(3)[(labels // 4) % 3],
                               np.eye(4)[labels % 4]], axis=1)
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_array_equal(
        _numpy(conditional.factor_one_hot(labels[:5], 24)),
        np.eye(24)[:5])


@pytest.mark.parametrize("name", sorted(FACTORED))
def test_factored_critic_sums_one_embedding_row_per_factor(name):
    make_critic, _, shape = FACTORED[name]
    critic = make_critic()
    rng = np.random.default_rng(3)
    projection = critic.get_layer("projection")
    features_size = critic.get_layer("score").input.shape[-1]
    # One row per value of each factor: 2 + 3, not 6.
    assert tuple(projection.embeddings.shape) == (5, features_size)
    embeddings = rng.normal(size=(5, features_size)).astype("float32")
    projection.embeddings.assign(embeddings)
    images = rng.uniform(-1, 1, (6,) + shape).astype("float32")
    labels = np.arange(6, dtype="int32")
    score_layer = critic.get_layer("score")
    features = _numpy(keras.Model(critic.inputs[0], score_layer.input)(images))
    kernel, bias = (_numpy(w) for w in score_layer.weights)
    embed = embeddings[labels // 3] + embeddings[2 + labels % 3]
    expected = features @ kernel + bias + np.sum(
        embed * features, axis=1, keepdims=True)
    np.testing.assert_allclose(_numpy(critic([images, labels])), expected,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(FACTORED))
def test_factored_generator_sees_one_one_hot_per_factor(name):
    _, make_generator, shape = FACTORED[name]
    generator = make_generator()
    noise = np.random.default_rng(4).normal(size=(6, 4)).astype("float32")
    labels = np.arange(6, dtype="int32")
    seen = keras.Model(generator.inputs,
                       generator.get_layer("noise_and_labels").output)
    np.testing.assert_array_equal(
        _numpy(seen([noise, labels])),
        np.concatenate([noise, np.eye(2)[labels // 3],
                        np.eye(3)[labels % 3]], axis=1).astype("float32"))
    assert generator.output_shape == (None,) + shape


def test_factored_networks_round_trip_through_serialization():
    critic, generator, _ = FACTORED["dcgan"]
    for network, inputs in (
            (critic(), np.random.default_rng(5).uniform(-1, 1, (3, 8, 8, 1))),
            (generator(), np.random.default_rng(5).normal(size=(3, 4)))):
        clone = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(network))
        clone.set_weights(network.get_weights())
        labels = np.array([5, 0, 3], "int32")
        np.testing.assert_allclose(
            _numpy(clone([inputs.astype("float32"), labels],
                         training=False)),
            _numpy(network([inputs.astype("float32"), labels],
                           training=False)), atol=1e-6)
    layer = conditional.ClassProjection(6, class_factors=[2, 3])
    assert layer.get_config()["class_factors"] == [2, 3]
    assert "class_factors" not in conditional.ClassOneHot(6).get_config()


@pytest.mark.parametrize("factors, num_classes", [
    ((2, 4), 6), ((6, 1), 6), ((), 6), ((2.0, 3), 6), ("23", 6),
    ((True, 6), 6), ((2, 3), None)])
def test_bad_class_factors_is_one_line(factors, num_classes):
    with pytest.raises(ValueError, match=r"^class_factors must be ints >= 2 "
                                         r"whose product is num_classes"):
        conditional.check_class_factors(factors, num_classes)
