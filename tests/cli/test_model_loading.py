"""keras_wgan.cli.model_loading: a .keras file named by an option, or one line."""

import zipfile

import keras
import pytest

import keras_wgan
from keras_wgan.cli import UsageError
from keras_wgan.cli.model_loading import UnreadableModelError
from keras_wgan.cli.model_loading import load_model
from tests.helpers import small_models

pytestmark = pytest.mark.above_the_models


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


def test_rejects_an_unreadable_file_in_one_line(tmp_path, saved_wgan_gp):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(UnreadableModelError) as error:
        load_model(junk, "--checkpoint", keras_wgan.AdversarialModel)
    # Keras says "File not found" for a file that is there but is no zip.
    assert str(error.value) == (f"--checkpoint: {junk} is not a .keras file "
                                "(not a zip archive).")
    # A zip that is not a model: Keras's reason, in one line.
    with zipfile.ZipFile(tmp_path / "empty.keras", "w") as archive:
        archive.writestr("notes.txt", "no model here")
    with pytest.raises(UnreadableModelError) as error:
        load_model(tmp_path / "empty.keras", "--x", keras_wgan.WGAN)
    message = str(error.value)
    assert message.startswith(f"--x: {tmp_path}/empty.keras is not a readable "
                              ".keras model (")
    assert "\n" not in message and message.endswith(").")


def test_a_model_with_a_lambda_is_refused_in_a_whole_sentence(tmp_path):
    # Fault 8 of issue 20: the refusal was cut off ("If you trust the ).").
    path = tmp_path / "lambda.keras"
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Lambda(lambda x: 2 * x)])
    model.save(path)
    with pytest.raises(UnreadableModelError) as error:
        load_model(path, "--checkpoint", keras_wgan.AdversarialModel)
    assert str(error.value) == (
        f"--checkpoint: {path} is a model with Python code in it (a lambda), "
        "which Keras refuses to run by default; if you trust its source, "
        "load it from Python with keras.models.load_model(path, "
        "safe_mode=False).")
