"""keras_wgan.tensorboard: the events written, read back with TensorBoard's
own reader, equal metrics.csv, the learning rates and the PNG grids."""

import csv
import os

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import cli
from keras_wgan.callbacks import SampleGrid
from keras_wgan.callbacks import TensorBoard
from keras_wgan.cli.run_folder import RunFolder
from tests.cli.helpers import CLI_RUN

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")


def read_events(log_dir):
    # size_guidance 0: keep every event, not TensorBoard's sample of them.
    events = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={event_accumulator.SCALARS: 0,
                                     event_accumulator.IMAGES: 0})
    events.Reload()
    return events


def scalars(events, tag):
    return {e.step: e.value for e in events.Scalars(tag)}


def tiny_gan(latent_dim=2):
    critic = keras.Sequential([keras.Input((4, 4, 1)),
                               keras.layers.Flatten(),
                               keras.layers.Dense(1, name="score")])
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(16, activation="tanh"),
        keras.layers.Reshape((4, 4, 1))])
    return keras_wgan.WGANGP(critic, generator, n_critic=1)


def test_train_tensorboard_events_equal_metrics_csv_and_grids(tmp_path):
    out = tmp_path / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "3",
                     "--num-images", "16", *CLI_RUN, "--sample-every", "2",
                     "--learning-rate", "0.0003", "--tensorboard"]) == 0
    folder = RunFolder(str(out))
    events = read_events(folder.tensorboard)
    with open(folder.metrics, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3
    logged = [name for name in rows[0] if name != "epoch"]
    assert {"critic_loss", "generator_loss", "wasserstein_estimate",
            "gradient_penalty"} <= set(logged)
    for name in logged:
        # TensorBoard keeps scalars as float32; the CSV holds the float32
        # values the model logged.
        expected = {int(row["epoch"]) + 1: np.float32(float(row[name]))
                    for row in rows}
        assert scalars(events, name) == expected, name
    for player in ("critic", "generator"):
        rates = scalars(events, f"learning_rate/{player}")
        assert rates == {step: np.float32(3e-4) for step in (1, 2, 3)}
    # Grids at epoch 2 (--sample-every 2) and 3 (the last): the PNG files.
    images = {e.step: e for e in events.Images("samples")}
    assert sorted(images) == [2, 3]
    for step, image in images.items():
        with open(os.path.join(folder.samples, f"epoch_{step:03d}.png"),
                  "rb") as f:
            png = f.read()
        assert image.encoded_image_string == png
        assert (image.width, image.height) == (
            int.from_bytes(png[16:20], "big"),
            int.from_bytes(png[20:24], "big"))


def test_fit_callback_draws_the_grid_sample_grid_draws(tmp_path):
    gan = tiny_gan()
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    grid = SampleGrid(tmp_path / "samples", num_samples=6, seed=3)
    board = TensorBoard(tmp_path / "logs", num_samples=6, seed=3, every=2)
    history = gan.fit(images.astype("float32"), batch_size=8, epochs=3,
                      callbacks=[grid, board], verbose=0)
    events = read_events(tmp_path / "logs")
    for name, values in history.history.items():
        assert scalars(events, name) == {
            step + 1: np.float32(value) for step, value in enumerate(values)}
    shown = {e.step: e.encoded_image_string for e in events.Images("samples")}
    assert sorted(shown) == [2, 3]
    for step, png in shown.items():
        with open(tmp_path / "samples" / f"epoch_{step:03d}.png", "rb") as f:
            assert png == f.read()


def test_a_resumed_fit_replaces_the_epochs_it_trains_again(tmp_path):
    gan = tiny_gan()
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    images = images.astype("float32")
    first = gan.fit(images, batch_size=8, epochs=3, verbose=0, callbacks=[
        TensorBoard(tmp_path / "logs", num_samples=2)])
    again = gan.fit(images, batch_size=8, epochs=3, initial_epoch=1,
                    verbose=0, callbacks=[TensorBoard(tmp_path / "logs",
                                                      num_samples=2)])
    logged = read_events(tmp_path / "logs").Scalars("critic_loss")
    values = first.history["critic_loss"][:1] + again.history["critic_loss"]
    assert [(e.step, e.value) for e in logged] == [
        (step + 1, np.float32(value)) for step, value in enumerate(values)]


def test_quality_metrics_before_it_are_logged(tmp_path):
    # The classifier FID that QualityMetrics adds to the epoch's logs.
    from keras_wgan.quality import QualityMetrics

    classifier = keras.Sequential([keras.Input((4, 4, 1)),
                                   keras.layers.Flatten(),
                                   keras.layers.Dense(3)])
    gan = tiny_gan()
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1))
    quality = QualityMetrics(images[:8], classifier=classifier,
                             num_samples=8, verbose=0)
    history = gan.fit(images.astype("float32"), batch_size=8, epochs=2,
                      verbose=0, callbacks=[
                          quality, TensorBoard(tmp_path / "logs",
                                               num_samples=2)])
    events = read_events(tmp_path / "logs")
    fid = history.history["classifier_fid"]
    assert scalars(events, "classifier_fid") == {
        1: np.float32(fid[0]), 2: np.float32(fid[1])}


def test_conditional_model_logs_its_class_grid(tmp_path):
    from keras_wgan.nets import architectures

    gan = keras_wgan.ConditionalWGANGP(
        architectures.mnist_critic(width=2, num_classes=3),
        architectures.mnist_generator(4, width=2, num_classes=3),
        num_classes=3, n_critic=1)
    gan.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 3, 8)
    board = TensorBoard(tmp_path / "logs", num_samples=6, seed=1)
    gan.fit(images, labels, batch_size=4, epochs=1, callbacks=[board],
            verbose=0)
    (image,) = read_events(tmp_path / "logs").Images("samples")
    class_images, columns = gan.class_grid(6, seed=1)
    from keras_wgan.tensorboard import png_bytes

    assert image.encoded_image_string == png_bytes(class_images, columns)


def test_png_bytes_equal_the_file_save_image_grid_writes(tmp_path):
    from keras_wgan.image_grids import save_image_grid
    from keras_wgan.tensorboard import png_bytes

    images = np.random.default_rng(1).uniform(-1, 1, (5, 3, 3, 3))
    path = save_image_grid(images, str(tmp_path / "g.png"), columns=2)
    with open(path, "rb") as f:
        assert png_bytes(images, columns=2) == f.read()


def test_config_round_trip(tmp_path):
    board = TensorBoard(tmp_path / "logs", num_samples=9, every=3, seed=2)
    again = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(board))
    assert again.get_config() == board.get_config()


def test_train_tensorboard_without_the_package_is_one_line(
        tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tensorboard", None)
    out = tmp_path / "run"
    assert cli.main(["train", "--out", str(out), "--epochs", "1",
                     "--num-images", "16", *CLI_RUN, "--tensorboard"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: --tensorboard needs the tensorboard package: "
                       "pip install keras-wgan[tensorboard] (TensorFlow is "
                       "not needed).")
    assert not out.exists()
