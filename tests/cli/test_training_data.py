"""`train` on data other than MNIST: image folders, array files, other
architectures, image sizes and channels (keras_wgan.cli.training_data)."""

import json

import numpy as np
import pytest
from PIL import Image

import keras_wgan
from keras_wgan import cli
from keras_wgan.cli import model_setup
from keras_wgan.cli import training_data
from keras_wgan.cli.train_config import TrainConfig
from keras_wgan.nets.registry import build_networks
from tests.cli.helpers import error_lines

pytestmark = pytest.mark.above_the_models

# A tiny run: 2-filter networks, batches of 4, 2 critic updates a step.
TINY = ["--width", "2", "--latent-dim", "4", "--batch-size", "4",
        "--n-critic", "2", "--samples", "4", "--verbose", "0", "--seed", "3"]


def _image_folder(root, count=16, size=10):
    """Two class folders of small RGB PNGs: red squares and blue ones."""
    for name, colour in (("blue", (0, 0, 255)), ("red", (255, 0, 0))):
        (root / name).mkdir(parents=True)
        for index in range(count // 2):
            pixels = np.zeros((size, size, 3), np.uint8)
            pixels[2:-2, 2:-2] = colour
            pixels[0, index % size] = 255
            Image.fromarray(pixels).save(root / name / f"{index}.png")
    return root


@pytest.fixture(autouse=True)
def keras_home(monkeypatch, tmp_path):
    """An empty Keras folder, where image folders are cached."""
    folder = tmp_path / "keras_home"
    folder.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(folder))
    return folder


def test_a_folder_of_images_trains_resumes_and_samples(tmp_path, capsys,
                                                       keras_home):
    folder = _image_folder(tmp_path / "shapes")
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--dataset", str(folder),
            "--image-size", "8", "--epochs", "1", *TINY]
    assert cli.main(argv) == 0, error_lines(capsys)
    record = json.loads((out / "run.json").read_text())
    assert record["dataset"] == str(folder)
    assert record["image_shape"] == [8, 8, 3]
    assert record["architecture"] == "dcgan" and record["num_images"] == 16
    assert list((keras_home / "keras_wgan" / "images").iterdir())
    # RGBA, as matplotlib writes it.
    grid = np.asarray(Image.open(out / "samples" / "epoch_001.png"))
    assert grid.shape == (2 + 2 * 10, 2 + 2 * 10, 4)
    # The same run continues from its checkpoint, reading the (cached)
    # folder again.
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     "2"]) == 0, error_lines(capsys)
    assert sorted(p.name for p in (out / "samples").iterdir()) == [
        "epoch_001.png", "epoch_002.png"]
    png = tmp_path / "grid.png"
    assert cli.main(["sample", "--checkpoint", str(out / "model.keras"),
                     "--out", str(png), "--n", "9"]) == 0
    assert np.asarray(Image.open(png)).shape == (2 + 3 * 10, 2 + 3 * 10, 4)


@pytest.mark.backends("torch", reason="the same command on every backend: the "
                      "folder and conditional runs cover JAX and TensorFlow")
@pytest.mark.parametrize("channels, shape", [(None, [8, 8, 1]),
                                             ("3", [8, 8, 3])])
def test_an_npz_file_trains_with_its_channels(tmp_path, capsys, channels,
                                              shape):
    pixels = np.random.default_rng(0).integers(0, 256, (12, 8, 8), np.uint8)
    path = tmp_path / "digits.npz"
    np.savez(path, x_train=pixels, y_train=np.arange(12) % 3)
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--dataset", str(path), "--epochs",
            "1", *TINY] + ([] if channels is None else ["--channels",
                                                        channels])
    assert cli.main(argv) == 0, error_lines(capsys)
    record = json.loads((out / "run.json").read_text())
    assert record["image_shape"] == shape and record["num_images"] == 12


@pytest.mark.parametrize("architecture, other, block", [
    ("dcgan", "resnet", "conv_1"), ("resnet", "dcgan", "block_1")])
def test_the_architecture_option_builds_its_networks(architecture, other,
                                                     block):
    config = TrainConfig(out="o", architecture=architecture, width=2,
                         latent_dim=4)
    images = np.zeros((8, 16, 16, 3), "float32")
    model = model_setup.build_model(config,
                                    training_data.TrainingData(images))

    def shapes(network):
        return [tuple(weight.shape) for weight in network.weights]

    # The networks are those of --architecture, not of the other family.
    for name in (architecture, other):
        critic, generator = build_networks(name, (16, 16, 3), latent_dim=4,
                                           width=2)
        same = (shapes(critic) == shapes(model.critic)
                and shapes(generator) == shapes(model.generator))
        assert same == (name == architecture), name
    assert block in [layer.name for layer in model.critic.layers]
    assert model.generator.output_shape == (None, 16, 16, 3)


@pytest.mark.parametrize("extra, message", [
    (["--dataset", "no/such/folder"], "--dataset must be a dataset name "),
    (["--architecture", "mnist"], "--architecture mnist does not fit the "
     "images of --dataset: architecture 'mnist' builds images of shape "
     "(28, 28, 1) only, got (8, 8, 3)."),
    (["--architecture", "resnet"], "--architecture resnet does not fit the "
     "images of --dataset: image_shape must be (size, size, 1 or 3) with "
     "size a power of two >= 16, got (8, 8, 3)."),
])
def test_bad_data_options_are_one_line_and_write_nothing(tmp_path, capsys,
                                                         extra, message):
    folder = _image_folder(tmp_path / "shapes")
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--dataset", str(folder),
            "--image-size", "8"] + TINY + extra
    assert cli.main(argv) == 2
    # The line that says where the images came from, then the error.
    err = [line for line in capsys.readouterr().err.splitlines()
           if not line.startswith("keras_wgan: images from")]
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


@pytest.mark.backends("torch", reason="the same command on every backend: the "
                      "folder and conditional runs cover JAX and TensorFlow")
def test_coloured_mnist_at_32_pixels_trains_on_the_dcgan(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--out", str(out), "--dataset",
                     "coloured_mnist", "--split", "test", "--num-images",
                     "16", "--epochs", "1", *TINY]) == 0, error_lines(capsys)
    record = json.loads((out / "run.json").read_text())
    assert record["image_shape"] == [32, 32, 3]
    assert record["architecture"] == "dcgan"


@pytest.mark.backends("torch", reason="the same command on every backend: the "
                      "folder and conditional runs cover JAX and TensorFlow")
def test_joint_coloured_mnist_trains_a_model_of_200_classes(tmp_path, capsys):
    import keras

    out = tmp_path / "run"
    assert cli.main(["train", "--out", str(out), "--dataset",
                     "coloured_mnist_joint", "--conditional", "--split",
                     "test", "--num-images", "16", "--epochs", "1",
                     "--samples", "4", *TINY]) == 0, error_lines(capsys)
    record = json.loads((out / "run.json").read_text())
    assert record["num_classes"] == 200
    model = keras.models.load_model(out / "model.keras")
    assert model.num_classes == 200
    # A red 7 on blue: one joint class, asked for by its number.
    red_seven = keras_wgan.data.coloured_mnist.joint_labels([7], [[2, 4]])
    assert model.generate(2, labels=int(red_seven[0]), seed=0).shape == (
        2, 32, 32, 3)


@pytest.mark.backends("torch", reason="the same command on every backend: the "
                      "folder and conditional runs cover JAX and TensorFlow")
def test_linear_decay_reaches_zero_at_the_last_epoch_and_resumes(tmp_path,
                                                                 capsys):
    import keras

    out = tmp_path / "run"
    # 16 test digits in steps of 2 x 4: 2 generator iterations an epoch.
    argv = ["train", "--out", str(out), "--split", "test", "--num-images",
            "16", "--epochs", "2", "--lr-decay", "linear",
            "--learning-rate", "1e-3", *TINY]
    assert cli.main(argv) == 0, error_lines(capsys)
    model = keras.models.load_model(out / "model.keras")
    assert int(model.generator_optimizer.iterations) == 4
    # After the 4 iterations of the run, both rates are 0: 1e-3 * (1 - 4/4).
    for optimizer in (model.critic_optimizer, model.generator_optimizer):
        assert float(optimizer.learning_rate) == 0.0
    checkpoint = out / "checkpoints" / "epoch_0001.keras"
    halfway = keras.models.load_model(checkpoint)
    assert float(halfway.generator_optimizer.learning_rate) == \
        pytest.approx(1e-3 * (1 - 2 / 4))
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     "3"]) == 2
    assert "--epochs must stay 2 to resume a run with --lr-decay linear" in \
        capsys.readouterr().err


def test_a_conditional_run_on_class_folders_gives_a_row_per_class(
        tmp_path, capsys):
    import keras

    folder = _image_folder(tmp_path / "shapes")
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--dataset", str(folder),
            "--image-size", "8", "--conditional", "--epochs", "1", *TINY]
    assert cli.main(argv) == 0, error_lines(capsys)
    record = json.loads((out / "run.json").read_text())
    assert record["conditional"] is True and record["num_classes"] == 2
    model = keras.models.load_model(out / "model.keras")
    assert type(model).__name__ == "ConditionalWGANGP"
    assert model.num_classes == 2
    # 4 samples: a row of blue ("blue" sorts first) and a row of red, of 2.
    grid = np.asarray(Image.open(out / "samples" / "epoch_001.png"))
    assert grid.shape[:2] == (2 + 2 * 10, 2 + 2 * 10)
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs",
                     "2"]) == 0, error_lines(capsys)
    # Without run.json the checkpoint tells the model is conditional.
    (out / "run.json").unlink()
    assert cli.main(["train", "--out", str(out), "--resume", "--epochs", "3",
                     "--batch-size", "4", "--num-images", "16", "--split",
                     "train", "--dataset", str(folder), "--image-size", "8",
                     "--verbose", "0"]) == 0, error_lines(capsys)
    assert json.loads((out / "run.json").read_text())["conditional"] is True
    png = tmp_path / "red.png"
    assert cli.main(["sample", "--checkpoint", str(out / "model.keras"),
                     "--out", str(png), "--n", "3", "--classes", "1"]) == 0
    assert np.asarray(Image.open(png)).shape[:2] == (2 + 10, 2 + 3 * 10)
    capsys.readouterr()
    for extra, message in (
            (["--classes", "2"], "--classes must be in [0, 2), got 2."),
            (["--columns", "2"], "--columns applies to unconditional "
             "models"),
            # Exactly --n images or a refusal: 2 rows cannot hold 3.
            (["--n", "3"], "--n must be a multiple of the 2 rows of a "
             "conditional model's grid (one row per class), got 3; e.g. "
             "--n 2 or --n 4.")):
        assert cli.main(["sample", "--checkpoint", str(out / "model.keras"),
                         "--out", str(tmp_path / "x.png"), *extra]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_conditional_needs_labels_and_the_penalty(tmp_path, capsys):
    folder = tmp_path / "flat"
    folder.mkdir()
    for index in range(4):
        Image.new("RGB", (8, 8), (index * 60, 0, 0)).save(
            folder / f"{index}.png")
    status = cli.main(["train", "--out", str(tmp_path / "a"), "--dataset",
                       str(folder), "--conditional", *TINY])
    assert status == 2
    assert (f"--conditional needs labels, and --dataset {folder} has none"
            in capsys.readouterr().err)
    assert not (tmp_path / "a").exists()
    assert cli.main(["train", "--out", str(tmp_path / "b"), "--model", "wgan",
                     "--conditional"]) == 2
    assert ("--conditional applies to --model wgan-gp only, got --model wgan."
            in capsys.readouterr().err)


def test_errors_name_the_flags_not_the_keywords(tmp_path, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "a.png")
    Image.new("RGB", (9, 9)).save(folder / "b.png")
    assert cli.main(["train", "--out", str(tmp_path / "run"), "--dataset",
                     str(folder), *TINY]) == 2
    err = error_lines(capsys)
    assert "pass --image-size to resize" in err, err
    assert "image_size=" not in err
    assert not (tmp_path / "run").exists()


def test_a_small_dataset_gets_a_warning_with_what_to_do(tmp_path, capsys):
    folder = _image_folder(tmp_path / "shapes")
    status = cli.main(["train", "--out", str(tmp_path / "run"), "--dataset",
                       str(folder), "--image-size", "8", "--dry-run"])
    err = capsys.readouterr().err
    assert status == 0
    assert ("warning: --dataset has 16 images, so with --batch-size 64 and "
            "--n-critic 5 an epoch is 1 generator iteration") in err, err
    assert "Try --batch-size 1 --epochs " in err
