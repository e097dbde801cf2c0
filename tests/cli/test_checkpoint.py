"""keras_wgan.cli.checkpoint: a .keras file named by an option, or one line."""

import pytest

import keras_wgan
from keras_wgan.cli import UsageError
from keras_wgan.cli.checkpoint import load_model
from tests.helpers import small_models


@pytest.fixture(scope="module")
def saved_wgan_gp(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "gp.keras"
    gan = keras_wgan.WGANGP(*small_models(width=2))
    gan.compile()
    gan.save(path)
    return path


def test_loads_the_expected_class_or_a_subclass(saved_wgan_gp):
    assert type(load_model(saved_wgan_gp, "--x", keras_wgan.WGANGP,
                           exact=True)) is keras_wgan.WGANGP
    assert type(load_model(saved_wgan_gp, "--x",
                           keras_wgan.AdversarialModel)) is keras_wgan.WGANGP


@pytest.mark.parametrize("expected, exact, message", [
    (keras_wgan.WGAN, False, "holds a WGANGP, expected a keras_wgan WGAN."),
    (keras_wgan.WassersteinGAN, True,
     "holds a WGANGP, expected a keras_wgan WassersteinGAN."),
])
def test_rejects_another_class(saved_wgan_gp, expected, exact, message):
    with pytest.raises(UsageError) as error:
        load_model(saved_wgan_gp, "--resume", expected, exact=exact)
    assert str(error.value) == f"--resume: {saved_wgan_gp} {message}"


def test_rejects_an_unreadable_file_in_one_line(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(UsageError) as error:
        load_model(junk, "--checkpoint", keras_wgan.AdversarialModel)
    message = str(error.value)
    assert message.startswith(f"--checkpoint: {junk} is not a readable "
                              ".keras model (")
    assert "\n" not in message and message.endswith(").")
