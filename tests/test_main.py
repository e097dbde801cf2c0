"""keras_wgan.__main__: the environment the command line starts in."""

import pytest

from keras_wgan.__main__ import quiet_other_backends

pytestmark = pytest.mark.backend_independent


def test_other_backends_are_quiet_and_given_settings_stay():
    environ = {"KERAS_BACKEND": "torch", "TF_ENABLE_ONEDNN_OPTS": "1"}
    quiet_other_backends(environ)
    assert environ == {"KERAS_BACKEND": "torch", "TF_CPP_MIN_LOG_LEVEL": "3",
                       "TF_ENABLE_ONEDNN_OPTS": "1", "JAX_PLATFORMS": "cpu"}
    environ = {}
    quiet_other_backends(environ)  # torch, the package's default
    assert environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_the_backend_in_use_keeps_its_own_settings():
    environ = {"KERAS_BACKEND": "tensorflow"}
    quiet_other_backends(environ)
    assert environ == {"KERAS_BACKEND": "tensorflow", "JAX_PLATFORMS": "cpu"}
    environ = {"KERAS_BACKEND": "jax"}
    quiet_other_backends(environ)
    assert "JAX_PLATFORMS" not in environ
    assert environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
