"""Resume, atomic checkpoints, NaN safety and determinism, on real training.

These test the library under the command line (batches, fit, checkpoints,
callbacks) together; the command line's own runs are in tests/cli.
"""

import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import checkpoints
from keras_wgan.data.batches import ShuffledBatches
from keras_wgan.callbacks import Checkpoint
from keras_wgan.callbacks import TerminateOnNonFinite
from tests.cli.helpers import ROOT
from tests.cli.helpers import assert_same_state
from tests.cli.helpers import state
from tests.helpers import real_digits
from tests.helpers import small_models


def _new_gan(seed=3):
    keras.utils.set_random_seed(seed)
    gan = keras_wgan.WGANGP(*small_models(), n_critic=2, seed=seed)
    gan.compile()
    return gan


# --------------------------------------------------------------- data order


def test_batches_depend_only_on_seed_and_global_step():
    images = np.arange(10, dtype="float32")[:, None]
    full = ShuffledBatches(images, batch_size=4, seed=7)
    assert full.steps_per_pass == 3
    first_pass = [full[i][0][:, 0] for i in range(3)]
    # Each pass reads every image once; the last batch holds the remainder.
    assert [len(b) for b in first_pass] == [4, 4, 2]
    assert sorted(np.concatenate(first_pass)) == list(range(10))
    second_pass = np.concatenate([full[i][0][:, 0] for i in range(3, 6)])
    assert sorted(second_pass) == list(range(10))
    assert not np.array_equal(np.concatenate(first_pass), second_pass)
    # A dataset that starts at global step 4 (a resume) reads what the
    # uninterrupted one reads from its step 4 on.
    resumed = ShuffledBatches(images, batch_size=4, seed=7, first_step=4)
    for i in range(5):
        np.testing.assert_array_equal(resumed[i][0], full[4 + i][0])
    other_seed = ShuffledBatches(images, batch_size=4, seed=8)
    assert not np.array_equal(other_seed[0][0], full[0][0])
    ordered = ShuffledBatches(images, batch_size=4, seed=7, shuffle=False)
    np.testing.assert_array_equal(ordered[4][0][:, 0], [4, 5, 6, 7])


def test_fit_reads_every_image_once_per_epoch(monkeypatch):
    gan = _new_gan()
    seen = {}
    original = ShuffledBatches.__getitem__

    def spy(self, index):
        batch = original(self, index)
        # A copy: on TensorFlow the memory of a batch handed to fit was seen
        # overwritten after use (about one run in three).
        seen[index] = batch[0].copy()
        return batch

    monkeypatch.setattr(ShuffledBatches, "__getitem__", spy)
    x = real_digits(16)
    gan.fit(x, batch_size=4, epochs=2, verbose=0)
    # Two epochs of 2 steps of 8 images. Keyed by the step index: the
    # TensorFlow adapter reads ahead from worker threads, so the order of
    # the calls is not the order of the steps.
    epoch_one = np.concatenate([seen[0], seen[1]])
    epoch_two = np.concatenate([seen[2], seen[3]])
    key = lambda a: sorted(map(bytes, a.reshape(len(a), -1)))  # noqa: E731
    assert key(epoch_one) == key(x) == key(epoch_two)


# ------------------------------------------------------- resume, determinism


def test_same_seed_gives_the_same_run_twice():
    x = real_digits(32)
    runs = []
    for _ in range(2):
        gan = _new_gan(seed=3)
        gan.fit(x, batch_size=8, epochs=2, verbose=0)
        runs.append(state(gan))
    assert_same_state(*runs)
    other = _new_gan(seed=4)
    other.fit(x, batch_size=8, epochs=2, verbose=0)
    assert not np.array_equal(runs[0][0], state(other)[0])


def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    x = real_digits(32)  # 2 steps of 2 x 8 images per epoch
    straight = _new_gan()
    straight.fit(x, batch_size=8, epochs=4, verbose=0)

    first = _new_gan()
    saver = Checkpoint(tmp_path / "ckpt", keep=1)
    first.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[saver])
    epoch, path = checkpoints.latest_checkpoint(tmp_path / "ckpt")
    assert epoch == 2
    # A fresh model object, as after a crash: everything comes from the file.
    resumed = keras.models.load_model(path)
    resumed.fit(x, batch_size=8, initial_epoch=epoch, epochs=4, verbose=0)
    assert int(resumed.generator_optimizer.iterations) == 8
    assert_same_state(state(straight), state(resumed))


# ---------------------------------------------------------------- checkpoints


def test_checkpoint_keeps_the_last_k_and_copies_the_newest(tmp_path):
    gan = _new_gan()
    saver = Checkpoint(tmp_path / "ckpt", keep=2, latest=tmp_path / "model.keras")
    gan.fit(real_digits(16), batch_size=8, epochs=4, verbose=0,
            callbacks=[saver])
    assert sorted(os.listdir(tmp_path / "ckpt")) == [
        "epoch_0003.keras", "epoch_0004.keras", "manifest.json"]
    assert (tmp_path / "model.keras").read_bytes() == (
        tmp_path / "ckpt" / "epoch_0004.keras").read_bytes()
    assert_same_state(state(gan),
                      state(keras.models.load_model(tmp_path / "model.keras")))
    with pytest.raises(ValueError, match="keep must be an integer >= 1, got 0"):
        Checkpoint(tmp_path, keep=0)


def test_a_save_that_fails_midway_leaves_the_last_checkpoint(tmp_path):
    gan = _new_gan()
    saver = Checkpoint(tmp_path / "ckpt", latest=tmp_path / "model.keras")
    gan.fit(real_digits(16), batch_size=8, epochs=1, verbose=0,
            callbacks=[saver])
    good = (tmp_path / "model.keras").read_bytes()

    def dies_while_writing(path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    gan.save = dies_while_writing
    with pytest.raises(OSError, match="disk full"):
        saver.save(2)
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["epoch_0001.keras",
                                                     "manifest.json"]
    assert (tmp_path / "model.keras").read_bytes() == good
    keras.models.load_model(tmp_path / "model.keras")


_SAVE_FOREVER = """
import os, sys
os.environ["KERAS_BACKEND"] = "torch"
import keras_wgan
from keras_wgan import checkpoints
from keras_wgan.nets import architectures
gan = keras_wgan.WGANGP(architectures.mnist_critic(width=8),
                        architectures.mnist_generator(latent_dim=8, width=8))
gan.compile()
checkpoints.save_atomically(gan, sys.argv[1])
print("saved", flush=True)
while True:
    checkpoints.save_atomically(gan, sys.argv[1])
"""


@pytest.mark.backends("torch", reason="file handling is the same on every "
                      "backend")
def test_sigkill_during_saves_never_leaves_a_broken_checkpoint(tmp_path):
    path = tmp_path / "model.keras"
    env = dict(os.environ, PYTHONPATH=ROOT)
    for delay in (0.05, 0.23):
        child = subprocess.Popen([sys.executable, "-c", _SAVE_FOREVER, str(path)],
                                 stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout.readline().strip() == "saved"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        model = keras.models.load_model(path)
        assert isinstance(model, keras_wgan.WGANGP)
        # A temporary file may remain; it is never taken for a checkpoint.
        assert checkpoints.list_checkpoints(tmp_path) == []


# ----------------------------------------------------------------- NaN / Inf


def test_nan_batch_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    gan = _new_gan()
    clean = real_digits(16)

    def batches():
        for step in range(100):
            batch = clean.copy()
            if step == 5:  # epoch 2, step 2 with 4 steps per epoch
                batch[3, 10, 10, 0] = np.nan
            yield (batch,)

    saver = Checkpoint(tmp_path / "ckpt", latest=tmp_path / "model.keras")
    with pytest.raises(keras_wgan.NonFiniteError,
                       match=r"became nan at epoch 2, step 2 of 4"):
        gan.fit(batches(), steps_per_epoch=4, epochs=3, verbose=0,
                callbacks=[TerminateOnNonFinite(), saver])
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["epoch_0001.keras",
                                                     "manifest.json"]
    saved = keras.models.load_model(tmp_path / "model.keras")
    assert all(np.all(np.isfinite(v)) for v in state(saved))
    assert int(saved.generator_optimizer.iterations) == 4


def test_checkpoint_refuses_weights_that_are_not_finite(tmp_path):
    gan = _new_gan()
    kernel = gan.critic.trainable_variables[0]
    kernel.assign(keras.ops.full(kernel.shape, np.inf))
    saver = Checkpoint(tmp_path / "ckpt")
    saver.set_model(gan)
    with pytest.raises(keras_wgan.NonFiniteError,
                       match=f"weight '{kernel.path}' holds NaN or Inf"):
        saver.save(1)
    assert not (tmp_path / "ckpt").exists()


def test_a_batch_of_one_is_enough_for_the_penalty():
    # The penalty is a per-sample gradient norm: one image per critic batch
    # is a valid (if noisy) estimate, so batch_size=1 is allowed.
    gan = _new_gan()
    history = gan.fit(real_digits(4), batch_size=1, epochs=1, verbose=0)
    assert np.isfinite(history.history["gradient_penalty"][-1])


# ------------------------------------------------------------ the soak test


@pytest.mark.slow
def test_soak_memory_stays_flat_and_estimate_finite():
    """A few thousand steps: no memory growth per epoch, finite estimates."""
    gan = _new_gan()
    x = real_digits(800)  # 50 steps of 2 x 8 images per epoch
    rss = []

    class Memory(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            rss.append(_rss_mb())

    history = gan.fit(x, batch_size=8, epochs=60, verbose=0,
                      callbacks=[Memory(), TerminateOnNonFinite()])
    estimates = history.history["wasserstein_estimate"]
    assert len(estimates) == 60 and np.all(np.isfinite(estimates))
    # After warm-up, memory may wobble with the allocator but must not grow
    # with the number of steps: compare the first and last thirds.
    early, late = np.mean(rss[10:25]), np.mean(rss[-15:])
    assert late - early < 25, (early, late)


def _rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# ----------------------------------------------------------- validation


def test_validation_split_holds_out_the_last_images():
    gan = _new_gan()
    x = real_digits(40)
    history = gan.fit(x, batch_size=8, validation_split=0.2, epochs=1,
                      verbose=0)
    # 32 training images in steps of 2 x 8; the last 8 are validation data.
    assert int(gan.generator_optimizer.iterations) == 2
    assert np.isfinite(history.history["val_wasserstein_estimate"][0])
    with pytest.raises(ValueError, match="exclude each other"):
        gan.fit(x, batch_size=8, validation_split=0.2, validation_data=x[:8],
                verbose=0)
    with pytest.raises(ValueError, match=r"validation_split must be a number in \(0, 1\), got 1.0"):
        gan.fit(x, batch_size=8, validation_split=1.0, verbose=0)


# ----------------------------------------- data the docs promise


def test_a_generator_of_bare_arrays_trains_like_one_of_tuples():
    # Fault 7: "generator must return a tuple" and a dump of the array.
    x = real_digits(16)

    def batches(wrap):
        while True:
            for start in (0, 8):
                batch = x[start:start + 8]
                yield (batch,) if wrap else batch

    runs = []
    for wrap in (False, True):
        gan = _new_gan()
        gan.fit(batches(wrap), steps_per_epoch=2, epochs=2, verbose=0)
        runs.append(state(gan))
    if keras.backend.backend() != "tensorflow":
        assert_same_state(*runs)
        return
    # On TensorFlow two fits in one process with several CPU threads are
    # not bit for bit the same (multi-threaded kernels; about 1 run in 4 on
    # 2026-12-02 differed by as much as the training's own change of some
    # weights), so their weights cannot tell the two inputs apart. What the
    # fault was about, the batches that reach the training step, is
    # compared instead, in eager mode where the step can record them.
    seen = []
    for wrap in (False, True):
        gan = _new_gan()
        gan.compile(run_eagerly=True)
        batches_seen = []

        class Recording(keras_wgan.models.inputs.Samples):
            def unpack(self, data, batches_seen=batches_seen):
                images = super().unpack(data)
                batches_seen.append(keras.ops.convert_to_numpy(images))
                return images

        gan.fit_inputs = lambda gan=gan: Recording(gan)
        gan.fit(batches(wrap), steps_per_epoch=2, epochs=2, verbose=0)
        assert int(gan.generator_optimizer.iterations) == 4
        seen.append(batches_seen)
    assert len(seen[0]) == len(seen[1]) == 4
    for bare, wrapped, start in zip(*seen, (0, 8, 0, 8)):
        np.testing.assert_array_equal(bare, wrapped)
        np.testing.assert_array_equal(bare, x[start:start + 8])


@pytest.mark.parametrize("where", ["x", "validation_data"])
@pytest.mark.parametrize("kind", ["array", "tuple", "generator"])
def test_data_in_0_255_gets_the_range_check_everywhere(where, kind):
    # Fault 7: validation data and generator batches skipped the [-1, 1]
    # check that an array x gets.
    clean = real_digits(16)
    pixels = (clean + 1) * 127.5  # [0, 255]

    def batches(images):
        while True:
            yield images[:8]
            yield images[8:]

    def given(images):
        return {"array": images, "tuple": (images,),
                "generator": batches(images)}[kind]

    if where == "x" and kind == "tuple":
        pytest.skip("a tuple x is (x, y) to Keras, not a kind of data")
    gan = _new_gan()
    kwargs = {"epochs": 1, "verbose": 0}
    if where == "x" and kind == "generator":
        kwargs["steps_per_epoch"] = 2
    if where == "validation_data" and kind == "generator":
        kwargs["validation_steps"] = 1
    if where == "x":
        run = lambda: gan.fit(given(pixels), **kwargs)  # noqa: E731
        name = "x" if kind == "array" else "x (batch 1)"
    else:
        run = lambda: gan.fit(clean, batch_size=4, validation_data=given(  # noqa: E731
            pixels), **kwargs)
        name = ("validation_data" if kind != "generator"
                else "validation_data (batch 1)")
    with pytest.raises(ValueError) as error:
        run()
    assert str(error.value).startswith(
        f"{name} values must lie in [-1, 1] (the generator ends in tanh), "
        "got [0, 255]")
    # Arrays are checked before the first step; a generator's batches as
    # they are read (validation ones at the end of the first epoch).
    late = where == "validation_data" and kind == "generator"
    assert int(gan.generator_optimizer.iterations) == (2 if late else 0)
