"""How fit cuts data into the critic batches of its steps."""

import keras
import numpy as np
import pytest

from keras_wgan.data import batches


def test_split_batch_sizes_static():
    x = np.arange(8 * 2, dtype="float32").reshape(8, 2)
    parts = batches.split_batch(x, 3)
    assert [len(p) for p in parts] == [3, 3, 2]
    np.testing.assert_array_equal(np.concatenate(parts), x)


@pytest.mark.backends("tensorflow", reason="only TensorFlow traces graphs "
                      "with an unknown batch size")
def test_split_batch_sizes_traced():
    import tensorflow as tf

    x = np.arange(8 * 2, dtype="float32").reshape(8, 2)
    # A graph traced for any batch size: the sizes become tensors.
    traced = tf.function(
        lambda t: [tf.shape(p)[0] for p in batches.split_batch(t, 3)],
        input_signature=[tf.TensorSpec([None, 2])])
    assert [int(n) for n in traced(tf.constant(x))] == [3, 3, 2]
    assert [int(n) for n in traced(tf.constant(x[:4]))] == [2, 1, 1]


def test_split_batch_refuses_fewer_images_than_critic_updates():
    with pytest.raises(ValueError, match=r"at least n_critic=5 images"):
        batches.split_batch(np.zeros((3, 2), "float32"), 5)


def test_short_last_step():
    # 100 images, steps of 2 x 8 = 16: 6 full steps and a last one of 4.
    assert batches.short_last_step(100, 8, 2) is None
    assert batches.short_last_step(97, 8, 2) == 1  # 1 image, 2 updates
    assert batches.short_last_step(96, 8, 2) is None  # no remainder
    assert batches.short_last_step(1, 8, 2) == 1  # fewer than n_critic


def test_split_validation_holds_out_the_last_fraction():
    x = np.arange(10, dtype="float32")[:, None]
    train, kwargs = batches.split_validation(
        x, {"validation_split": 0.3, "epochs": 2})
    np.testing.assert_array_equal(train[:, 0], np.arange(7))
    np.testing.assert_array_equal(kwargs["validation_data"][:, 0], [7, 8, 9])
    assert kwargs["epochs"] == 2 and "validation_split" not in kwargs
    same, unchanged = batches.split_validation(x, {"epochs": 2})
    assert same is x and unchanged == {"epochs": 2}


def test_split_validation_bad_values():
    x = np.zeros((10, 1), "float32")
    with pytest.raises(ValueError, match=r"validation_split must be a "
                       r"number in \(0, 1\), got 1.5"):
        batches.split_validation(x, {"validation_split": 1.5})
    with pytest.raises(ValueError, match="exclude each other"):
        batches.split_validation(x, {"validation_split": 0.5,
                                     "validation_data": x})


def test_is_array():
    assert batches.is_array(np.zeros(3))
    assert batches.is_array(keras.ops.zeros(3))
    assert not batches.is_array([1, 2, 3])
    assert not batches.is_array(batches.ShuffledBatches(np.zeros((4, 1)), 2, 0))


def test_shuffled_batches_depend_only_on_seed_and_step():
    x = np.arange(10, dtype="float32")[:, None]
    run = batches.ShuffledBatches(x, 4, seed=3)
    assert run.steps_per_pass == 3
    first_pass = [run[i][0][:, 0] for i in range(3)]
    assert [len(b) for b in first_pass] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(first_pass)),
                                  np.arange(10))
    # A run resumed at step 3 reads what the uninterrupted run reads there.
    resumed = batches.ShuffledBatches(x, 4, seed=3, first_step=3)
    np.testing.assert_array_equal(resumed[0][0], run[3][0])
    assert not np.array_equal(run[3][0][:, 0], first_pass[0])  # new pass
    in_order = batches.ShuffledBatches(x, 4, seed=3, shuffle=False)
    np.testing.assert_array_equal(in_order[1][0][:, 0], [4, 5, 6, 7])
