import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import backend
from keras_wgan.nets import layer_chain
from keras_wgan import penalty
from tests import helpers


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _images(count=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def test_mnist_networks_run_directly_with_the_same_outputs():
    critic, generator = helpers.small_models(width=4, latent_dim=8)
    x = _images()
    noise = np.random.default_rng(1).normal(size=(3, 8)).astype("float32")
    score = layer_chain.direct_forward(critic)
    generate = layer_chain.direct_forward(generator)
    assert score is not None and generate is not None
    np.testing.assert_allclose(
        _numpy(score(x)), _numpy(critic(x, training=True)), rtol=1e-6,
        atol=1e-6)
    np.testing.assert_allclose(
        _numpy(generate(noise)), _numpy(generator(noise)), rtol=1e-6,
        atol=1e-6)


@pytest.mark.backends("torch", "tensorflow", reason="JAX takes gradients "
                      "inside the trainer's stateless step; the training "
                      "test below covers it")
def test_direct_forward_differentiates_like_the_model():
    # Weight gradients and the penalty's input-gradient norm, which the
    # critic update differentiates a second time.
    critic, _ = helpers.small_models(width=4)
    x = _images(seed=2)
    score = layer_chain.direct_forward(critic)
    variables = critic.trainable_variables

    def weight_grads(fn):
        def loss():
            norm = penalty.gradient_norm(lambda t, training: fn(t), x)
            return keras.ops.mean(fn(x)) + keras.ops.mean(norm), {}

        return backend.value_and_grad(loss, variables)[2]

    for ours, theirs in zip(weight_grads(score),
                            weight_grads(lambda t: critic(t, training=True))):
        np.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=1e-4,
                                   atol=1e-6)


def _assert_trains_as_with_normal_calls(build, model_class, monkeypatch):
    """Trains `model_class` on `build()`'s networks with the direct chain and
    with Keras's normal __call__: the same seeds must give the same weights
    after a few generator steps, and the weights must have moved."""
    images = helpers.real_digits(4 * 2 * 16)

    def trained():
        keras.utils.set_random_seed(0)
        gan = getattr(keras_wgan, model_class)(*build(), n_critic=2, seed=3)
        gan.compile()
        gan.fit(images, batch_size=16, epochs=1, verbose=0, shuffle=False)
        return helpers.variable_values(gan.critic.weights
                                       + gan.generator.weights)

    fast = trained()
    with monkeypatch.context() as patch:
        patch.setattr(layer_chain, "direct_forward", lambda model: None)
        normal = trained()
    for a, b in zip(fast, normal):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    keras.utils.set_random_seed(0)
    initial, _ = build()
    assert not np.allclose(fast[0], _numpy(initial.weights[0]))


@pytest.mark.parametrize("model_class", ["WGAN", "WGANGP"])
def test_training_matches_the_normal_layer_calls(model_class, monkeypatch):
    _assert_trains_as_with_normal_calls(
        lambda: helpers.small_models(width=4, latent_dim=8), model_class,
        monkeypatch)


def _sequential(*layers):
    return keras.Sequential([keras.Input((28, 28, 1)), *layers])


class _MyDense(keras.layers.Dense):
    pass


class _SubclassedCritic(keras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(1)

    def call(self, x):
        return self.dense(self.flatten(x))


def _residual():
    images = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(images)
    h = keras.layers.Dense(784)(x)
    x = keras.layers.Add()([x, h])
    return keras.Model(images, keras.layers.Dense(1)(x))


def _shared_layer_model():
    dense = keras.layers.Dense(1)
    other = keras.Input((784,))
    dense(other)  # the layer's first call is in another graph
    images = keras.Input((28, 28, 1))
    return keras.Model(images, dense(keras.layers.Flatten()(images)))


@pytest.mark.parametrize("build", [
    lambda: _sequential(keras.layers.Flatten(),
                        keras.layers.BatchNormalization(),
                        keras.layers.Dense(1)),
    lambda: _sequential(keras.layers.Flatten(), keras.layers.Dropout(0.5),
                        keras.layers.Dense(1)),
    lambda: _sequential(keras.layers.Flatten(), _MyDense(1)),
    lambda: _sequential(keras.layers.Flatten(),
                        keras.layers.Dense(1, activity_regularizer="l2")),
    lambda: _sequential(keras.layers.Flatten(),
                        keras.layers.Dense(1, dtype="mixed_float16")),
    _residual,
    _shared_layer_model,
    lambda: _SubclassedCritic(),
], ids=["batchnorm", "dropout", "subclassed-layer", "activity-regularizer",
        "mixed-precision", "residual", "shared-layer", "subclassed-model"])
def test_other_models_are_called_normally(build):
    model = build()
    model(_images(1))  # builds the subclassed model
    assert layer_chain.direct_forward(model) is None


def test_a_dropout_critic_still_gets_the_training_flag():
    # Through the fallback, Keras's __call__ passes training=True on.
    critic = _sequential(keras.layers.Flatten(), keras.layers.Dropout(0.9),
                         keras.layers.Dense(1, kernel_initializer="ones"))
    _, generator = helpers.small_models(latent_dim=8)
    gan = keras_wgan.WGANGP(critic, generator)
    x = _images(8, seed=4)
    inference = _numpy(gan.critic_scores(x, training=False))
    np.testing.assert_allclose(inference, _numpy(critic(x, training=False)),
                               rtol=1e-5)
    assert not np.allclose(_numpy(gan.critic_scores(x, training=True)),
                           inference)


def test_inputs_of_another_dtype_take_the_normal_call():
    critic, _ = helpers.small_models(width=4)
    score = layer_chain.direct_forward(critic)
    x = _images(2).astype("float64")
    out = score(x)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(_numpy(out), _numpy(critic(x)), rtol=1e-6,
                               atol=1e-6)


# Keras's own layers in the settings a fused torch call takes over.
_FUSED_LAYERS = [
    *[(lambda p=p, s=s, k=k: keras.layers.Conv2D(
        6, k, strides=s, padding=p, activation="relu"), (2, size, size + 1, 3))
      for p in ("same", "valid") for s in (1, 2) for k in (4, 5)
      for size in (7, 8)],
    *[(lambda p=p, s=s, k=k, o=o: keras.layers.Conv2DTranspose(
        5, k, strides=s, padding=p, output_padding=o), (2, 4, 5, 3))
      for p in ("same", "valid") for s in (1, 2) for k in (3, 4, 5)
      for o in ((None, 0) if s == 1 else (None, 1))],
    (lambda: keras.layers.Dense(5, activation="tanh"), (4, 7)),
    (lambda: keras.layers.Dense(5, use_bias=False), (4, 7)),
    (lambda: keras.layers.Conv2D(4, 3, use_bias=False), (2, 6, 6, 2)),
]


@pytest.mark.backends("torch", reason="the fused calls are torch's")
@pytest.mark.parametrize("build, shape", _FUSED_LAYERS)
def test_fused_keras_layers_compute_what_their_call_computes(build, shape):
    import torch

    layer = build()
    layer(keras.Input(shape[1:]))
    fused = backend.fused_layer_call(layer, tuple(layer.input.shape))
    assert fused is not None
    rng = np.random.default_rng(len(shape))
    x = torch.tensor(rng.normal(size=shape).astype("float32"),
                     requires_grad=True)
    expected, outputs = layer.call(x), fused(x)
    assert tuple(outputs.shape) == tuple(expected.shape)
    weights = [x] + [w.value for w in layer.trainable_weights]
    upstream = torch.tensor(rng.normal(size=tuple(expected.shape)),
                            dtype=torch.float32)
    for ours, theirs in zip(
            torch.autograd.grad((outputs * upstream).sum(), weights),
            torch.autograd.grad((expected * upstream).sum(), weights)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(outputs.detach(), expected.detach(),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.backends("torch", reason="the fused calls are torch's")
@pytest.mark.parametrize("layer", [
    keras.layers.Conv2D(4, 3, dilation_rate=2),
    keras.layers.Conv2D(4, 3, groups=2),
    keras.layers.Conv2D(4, 3, data_format="channels_first"),
    keras.layers.Conv1D(4, 3),
    _MyDense(3),
], ids=["dilated", "grouped", "channels_first", "conv1d", "subclass"])
def test_other_layer_settings_keep_their_call(layer):
    shape = (5, 8) if isinstance(layer, (keras.layers.Conv1D, _MyDense)) \
        else (8, 8, 4)
    layer(keras.Input(shape))
    assert backend.fused_layer_call(layer, tuple(layer.input.shape)) is None


@pytest.mark.backends("tensorflow")
def test_tensorflow_has_no_fused_layer_calls():
    assert backend.fused_layer_call is None


def _standard_layer_models(width=4, latent_dim=8):
    """A critic and generator of Keras's own layers, as a user writes them."""
    critic = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(width, 5, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Conv2D(2 * width, 5, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 2 * width, activation="relu"),
        keras.layers.Reshape((7, 7, 2 * width)),
        keras.layers.Conv2DTranspose(width, 5, strides=2, padding="same",
                                     activation="relu"),
        keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same",
                                     activation="tanh"),
    ])
    return critic, generator


def test_standard_layer_networks_train_as_with_their_calls(monkeypatch):
    _assert_trains_as_with_normal_calls(_standard_layer_models, "WGANGP",
                                        monkeypatch)
