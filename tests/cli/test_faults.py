"""Faults of the data and of a run's files: what `train` does, what it keeps.

Each test makes one fault for real (files, permissions, processes) and
checks what `train` does about it and that nothing of an earlier run is
lost. Its `fault` marker is its row of the table in docs/guides/faults.md,
which scripts/fault_table.py writes from the fault tests; the faults of
start-up, the run folder and several devices are in test_faults_startup.py.
"""

import json
import os
import sys

import numpy as np
import pytest

from keras_wgan import cli
from keras_wgan import data
from tests.cli.helpers import ROOT

from tests.cli.faults import FOLDER_RUN
from tests.cli.faults import NAMES
from tests.cli.faults import TRAIN
from tests.cli.faults import assert_checkpoints_load
from tests.cli.faults import assert_resumes
from tests.cli.faults import finished_run  # noqa: F401 - a fixture
from tests.cli.faults import image_folder
from tests.cli.faults import immutable
from tests.cli.faults import labelled_npz
from tests.cli.faults import no_work  # noqa: F401 - a fixture
from tests.cli.faults import refused
from tests.cli.faults import run  # noqa: F401 - a fixture
from tests.cli.faults import run_as_nobody
from tests.cli.faults import shared_folder
from tests.cli.faults import unchanged

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import fault_table  # noqa: E402

pytestmark = pytest.mark.above_the_models


# ------------------------------------------------- data loss, wrong data


@pytest.mark.fault(
    fault="`train --overwrite` into a run whose `samples/` (or any file it "
    "would delete) is read-only",
    happens="one-line refusal naming the file or folder, before anything "
    "is deleted",
    kept="the earlier run, every file")
def test_overwrite_into_a_read_only_samples_folder_deletes_nothing(
        run, capsys):
    assert os.listdir(run / "samples")
    with unchanged(run), immutable(run / "samples"):
        err = refused(capsys, "--out", run, "--overwrite", "--epochs", "1",
                      *TRAIN)
    assert err == f"error: --out: cannot write {run}/samples: permission denied (not a writable folder)."
    assert_checkpoints_load(run, [1, 2])
    assert_resumes(capsys, run, 2)


@pytest.mark.fault(
    fault="`train --overwrite` into a run with an immutable checkpoint",
    happens="one-line refusal naming the checkpoint and `--overwrite`",
    kept="the earlier run, every file")
def test_overwrite_with_an_immutable_checkpoint_deletes_nothing(run, capsys):
    newest = run / "checkpoints" / "epoch_0002.keras"
    with unchanged(run), immutable(newest):
        err = refused(capsys, "--out", run, "--overwrite", "--epochs", "1",
                      *TRAIN)
    assert err == (f"error: --overwrite: cannot delete {newest}: it is "
                   "immutable (chattr +i); nothing was deleted.")
    assert_checkpoints_load(run, [1, 2])


@pytest.mark.fault(
    fault="Resume after files were added to or removed from the `--dataset` "
    "folder, keeping the count",
    happens="one-line refusal: the images of the folder differ from those "
    "the run was trained on",
    kept="the run, unchanged")
def test_resume_refuses_a_folder_whose_files_changed_at_the_same_count(
        tmp_path, capsys):
    faces = image_folder(tmp_path / "faces", NAMES, seed=1)
    out = tmp_path / "run"
    assert cli.main(["train", "--out", str(out), "--dataset", str(faces),
                     *FOLDER_RUN]) == 0
    (faces / NAMES[-1]).unlink()
    image_folder(faces, ["a_first.png"], seed=2)  # sorts first
    with unchanged(out):
        err = refused(capsys, "--out", out, "--resume", "--epochs", "2")
    assert err == (
        f"error: --dataset: the images of {faces} differ from those the run "
        "was trained on (16 images either way; files added, removed or "
        "changed since); resume with the same data, or start a new run in "
        "another --out.")
    assert_checkpoints_load(out, [1])


@pytest.mark.fault(
    fault="Resume from another working directory of a run started with a "
    "relative `--dataset`",
    happens="the resume reads the folder recorded (its absolute path), not "
    "the one the relative path now names",
    kept="the run, continued on its own data")
def test_a_relative_dataset_resumes_on_the_recorded_folder(
        tmp_path, capsys, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    image_folder(first / "faces", NAMES, seed=1)
    image_folder(second / "faces", NAMES, seed=2)  # same names, other images
    out = tmp_path / "run"
    monkeypatch.chdir(first)
    assert cli.main(["train", "--out", str(out), "--dataset", "faces",
                     *FOLDER_RUN]) == 0
    monkeypatch.chdir(second)
    assert_resumes(capsys, out, 1)
    record = json.loads((out / "run.json").read_text())
    assert record["data"]["source"] == str(first / "faces")
    # Given again, the relative path names the other folder: refused.
    err = refused(capsys, "--out", out, "--resume", "--epochs", "3",
                  "--dataset", "faces")
    assert "--dataset faces differs from the run's recorded --dataset" in err


@pytest.mark.fault(
    fault="`--out` inside the `--dataset` folder",
    happens="one-line refusal before anything is written (the samples and "
    "checkpoints would become training images)",
    kept="the folder, unchanged")
def test_out_inside_the_dataset_folder_is_refused(tmp_path, capsys):
    faces = image_folder(tmp_path / "faces", NAMES, seed=1)
    with unchanged(faces):
        err = refused(capsys, "--out", faces / "run", "--dataset", faces,
                      *FOLDER_RUN)
    assert err == (f"error: --out: {faces}/run lies inside --dataset "
                   f"{faces}, whose images would then include the run's "
                   "samples; choose an --out outside it.")


@pytest.mark.fault(
    fault="`run.json` edited by hand (`width`, `image_shape`, `latent_dim`) "
    "so that it disagrees with the checkpoint",
    happens="one-line refusal naming the field and the checkpoint",
    kept="the run and its checkpoints, unchanged")
@pytest.mark.parametrize("field, value, message", [
    ("width", 3, "records width 3 and architecture mnist, but the networks "
     "of its checkpoint"),
    ("image_shape", [32, 32, 1], "records image_shape [32, 32, 1], but its "
     "checkpoint"),
])
def test_resume_refuses_a_record_that_disagrees_with_the_checkpoint(
        run, capsys, field, value, message):
    record = json.loads((run / "run.json").read_text())
    record[field] = value
    (run / "run.json").write_text(json.dumps(record))
    with unchanged(run):
        err = refused(capsys, "--out", run, "--resume", "--epochs", "3")
    assert message in err, err
    assert_checkpoints_load(run, [1, 2])


@pytest.mark.fault(
    fault="16-bit PNG images in a `--dataset` folder",
    happens="scaled by their bit depth (65535 is white), not clipped at 255",
    kept="the images' whole range of greys")
def test_16_bit_pngs_are_scaled_not_clipped(tmp_path):
    from PIL import Image

    pixels = np.arange(256, dtype=np.uint16).reshape(16, 16)
    wide, narrow = tmp_path / "wide", tmp_path / "narrow"
    wide.mkdir()
    narrow.mkdir()
    Image.fromarray(pixels * 257).save(wide / "a.png")
    assert Image.open(wide / "a.png").mode == "I;16"
    Image.fromarray(pixels.astype(np.uint8)).save(narrow / "a.png")
    loaded = data.load_images(wide, cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(
        loaded, data.load_images(narrow, cache_dir=tmp_path / "cache"))
    assert loaded.min() == -1.0 and loaded.max() == 1.0


@pytest.mark.fault(
    fault="A class subfolder of `--dataset` that cannot be read",
    happens="one-line error naming the folder (the class was silently left "
    "out)",
    kept="nothing is written")
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
# The refusal comes while the folder is read, before any model: once, not
# a process on each backend.
@pytest.mark.backend_independent
def test_an_unreadable_class_folder_is_an_error_not_a_missing_class():
    with shared_folder() as shared:
        pets = shared / "pets"
        for name in ("cats", "dogs", "owls"):
            image_folder(pets / name, NAMES[:8], seed=len(name))
        os.chmod(pets, 0o755)
        for name in ("cats", "dogs", "owls"):
            os.chmod(pets / name, 0o755)
        os.chmod(pets / "dogs", 0o000)
        result = run_as_nobody("train", "--out", shared / "run", "--dataset",
                               pets, "--conditional", *FOLDER_RUN,
                               home=shared)
        err = [line for line in result.stderr.splitlines()
               if not line.startswith("keras_wgan:")]
        assert result.returncode == 2, result.stderr
        assert err == [f"error: {pets}/dogs: cannot read this folder of the "
                       "source (Permission denied); make it readable, or "
                       "move it out."]
        assert not (shared / "run").exists()


# -------------------------------------------------- resource exhaustion


@pytest.mark.fault(
    fault="`train --samples 10000000` (or `--width 100000`)",
    happens="one-line refusal with the largest value accepted, before any "
    "work (it ran out of memory at the first sample grid)",
    kept="nothing is written")
@pytest.mark.parametrize("args, message", [
    (["--samples", "10000000"], "--samples must be <= 10000 (one grid of at "
     "most 100 x 100 images), got 10000000."),
    (["--width", "100000"], "--width must be <= 1024 (16 times the default; "
     "wider networks take tens of GB), got 100000."),
])
def test_huge_samples_or_width_are_refused_before_any_work(
        tmp_path, capsys, no_work, args, message):
    err = refused(capsys, "--out", tmp_path / "run", *args)
    assert err == f"error: {message}"
    assert not (tmp_path / "run").exists()


@pytest.mark.fault(
    fault="An `.npz` whose labels skip classes (e.g. hold 999999) with "
    "`--conditional`",
    happens="one-line refusal naming the labels, before the run folder is "
    "made (a model of a million classes exhausted memory and left a "
    "half-made folder)",
    kept="nothing is written; a rerun with renumbered labels works")
def test_labels_with_gaps_are_refused_before_the_run_folder_exists(
        tmp_path, capsys, monkeypatch):
    source = labelled_npz(tmp_path / "gaps.npz", [0, 1, 999999, 1] * 4)
    out = tmp_path / "run"
    from keras_wgan.cli import train

    real_build = train.build_model

    def build(config, training_data):
        assert training_data.num_classes < 10, "a model of a million classes"
        return real_build(config, training_data)

    monkeypatch.setattr(train, "build_model", build)
    err = refused(capsys, "--out", out, "--dataset", source, "--conditional",
                  *FOLDER_RUN)
    assert err == (
        f"error: --conditional needs labels the classes 0..K-1, each one "
        f"present; --dataset {source} has 3 distinct labels from 0 to 999999 "
        "(none is 2); number the classes 0, 1, 2, ... without gaps.")
    assert not out.exists()
    fixed = labelled_npz(tmp_path / "fixed.npz", [0, 1, 2, 1] * 4)
    assert cli.main(["train", "--out", str(out), "--dataset", str(fixed),
                     "--conditional", *FOLDER_RUN]) == 0
    assert_checkpoints_load(out, [1])


def damaged_crc(tmp_path):
    source = labelled_npz(tmp_path / "damaged.npz", [0, 1] * 8)
    content = bytearray(source.read_bytes())
    content[content.index(b"\x93NUMPY") + 300] ^= 0xFF  # a pixel, stored
    source.write_bytes(bytes(content))
    return source, (f"{source}: its array 'x' is not readable (Bad CRC-32 "
                    "for file 'x.npy').")


def huge_shape(tmp_path):
    # A valid header that declares 10^15 bytes over a file of 1 KiB.
    import struct

    source = tmp_path / "huge.npy"
    header = ("{'descr': '|u1', 'fortran_order': False, 'shape': "
              "(1000000000, 1000, 1000), }")
    header += " " * (63 - len(header) % 64) + "\n"
    source.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
                       + header.encode() + bytes(1024))
    # NumPy's own words follow: "Unable to allocate 909. TiB ...".
    return source, (f"{source}: its header declares an array too big for "
                    "the memory (Unable to allocate ")


@pytest.mark.fault(
    fault="An `.npz` whose array fails its CRC check (a damaged download), "
    "or an `.npy` whose header declares a huge array",
    happens="one-line error naming the file and the array",
    kept="nothing is written")
@pytest.mark.parametrize("damage", [damaged_crc, huge_shape])
def test_a_damaged_array_file_is_one_line(tmp_path, capsys, damage):
    source, message = damage(tmp_path)
    err = refused(capsys, "--out", tmp_path / "run", "--dataset", source,
                  *FOLDER_RUN)
    assert err.startswith(f"error: {message}"), err
    assert not (tmp_path / "run").exists()


@pytest.mark.fault(
    fault="`--image-size 1000` with `--num-images 16` on MNIST",
    happens="only the 16 images taken are resized (all 60,000 were, "
    "needing 224 GiB)",
    kept="memory: only the images trained on are held")
def test_num_images_are_taken_before_they_are_resized(monkeypatch):
    from keras_wgan.cli import training_data
    from keras_wgan.cli.train_config import TrainConfig
    from keras_wgan.data import resize

    resized = []
    real_fit = resize.fit_square
    monkeypatch.setattr(resize, "fit_square", lambda image, size: (
        resized.append(size) or real_fit(image, size)))
    config = TrainConfig(out="unused", image_size=40, num_images=16,
                         split="test", batch_size=8, n_critic=2)
    loaded = training_data.load_training_data(config)
    assert loaded.images.shape == (16, 40, 40, 1)
    assert len(resized) == 16


@pytest.mark.fault(
    fault="An `--image-size` whose images do not fit in memory",
    happens="one-line refusal with the memory needed and available, before "
    "any image is resized",
    kept="nothing is written")
def test_an_image_size_too_big_for_memory_is_refused(tmp_path, capsys,
                                                     monkeypatch, no_work):
    from keras_wgan.data import resize

    monkeypatch.setattr(resize, "available_memory", lambda: 8 * 2**30)
    monkeypatch.setattr(resize, "fit_square", no_work)
    err = refused(capsys, "--out", tmp_path / "run", "--image-size", "1000",
                  "--split", "test")
    assert err == (
        "error: --image-size 1000 needs 37.3 GiB for 10000 images of "
        "1000x1000x1, more than the 8.0 GiB of memory available; choose a "
        "smaller --image-size or a smaller --num-images.")
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------- words


@pytest.mark.fault(
    fault="`--architecture resnet` on images too small for it, or "
    "`--recipe cifar10-resnet --model wgan`",
    happens="one-line refusal naming the real limit (16 pixels) or the two "
    "options that clash (not a `--gp-weight` the user did not give)",
    kept="nothing is written")
@pytest.mark.parametrize("args, message", [
    (["--dataset", "{x24}", "--architecture", "resnet"],
     "--architecture resnet does not fit the images of --dataset: "
     "image_shape must be (size, size, 1 or 3) with size a power of two >= "
     "16, got (24, 24, 1)."),
    (["--recipe", "cifar10-resnet", "--model", "wgan"],
     "--model wgan does not fit --recipe cifar10-resnet, which trains "
     "--model wgan-gp; leave out --model or --recipe."),
])
def test_words_name_the_real_limit_and_the_options_given(tmp_path, capsys,
                                                         args, message):
    x24 = tmp_path / "x24.npy"
    np.save(x24, np.zeros((16, 24, 24), np.uint8))
    args = [arg.format(x24=x24) for arg in args]
    err = refused(capsys, "--out", tmp_path / "run", *args, "--width", "2")
    assert err == f"error: {message}"
    assert not (tmp_path / "run").exists()


def test_the_fault_table_in_the_docs_is_current():
    # Regenerate with: python scripts/fault_table.py
    assert fault_table.main(["--check"]) == 0
