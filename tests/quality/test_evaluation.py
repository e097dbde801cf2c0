"""keras_wgan.quality.evaluation: a generator's numbers against its
dataset's test split, with the real-data floor."""

import numpy as np
import pytest

import keras_wgan
from keras_wgan import quality
from keras_wgan.nets import architectures


@pytest.fixture(scope="module")
def reference():
    return quality.Reference.of("mnist", num_samples=200)


def test_floor_is_the_training_images_measure(reference):
    classifier = quality.load_classifier("mnist")
    test = keras_wgan.data.load_mnist("test")
    train, labels = keras_wgan.data.load_mnist("train", return_labels=True)
    real = quality.classifier_logits(test, classifier)
    fake = quality.classifier_logits(train[:200], classifier)
    expected = quality.logit_quality(real, fake)
    floor = reference.floor
    assert floor["classifier_fid"] == pytest.approx(expected["classifier_fid"])
    assert floor["classifier_score"] == pytest.approx(
        expected["classifier_score"])
    counts = np.asarray(expected["class_counts"])
    assert floor["smallest_class_fraction"] == counts.min() / 200
    assert floor["class_accuracy"] == quality.accuracy_from_logits(
        fake, labels[:200])
    np.testing.assert_allclose(reference.logits, real)


def test_references_of_a_dataset_share_the_test_splits_logits(reference):
    # Classified once per process: each evaluate, each scored checkpoint,
    # would otherwise classify the 10,000 test images again.
    other = quality.Reference.of("mnist", num_samples=50, split="test")
    assert other.logits is reference.logits
    assert other.classifier is reference.classifier
    assert not other.logits.flags.writeable
    assert other.num_samples == 50
    assert other.floor["classifier_fid"] != reference.floor["classifier_fid"]


def test_generator_is_measured_on_generate_of_the_seed(reference):
    gan = keras_wgan.pretrained("mnist-wgan")
    result = quality.evaluate_generator(gan, reference, num_samples=100,
                                        seed=4)
    values, _, _ = quality.generator_quality(gan, reference.logits,
                                             reference.classifier, 100, seed=4)
    assert result["model"]["classifier_fid"] == pytest.approx(
        values["classifier_fid"])
    assert result["model"]["class_counts"] == values["class_counts"]
    assert "class_accuracy" not in result["model"]
    assert (result["num_samples"], result["seed"]) == (100, 4)


def test_conditional_generator_gets_its_class_accuracy(reference):
    gan = keras_wgan.ConditionalWGANGP(
        architectures.mnist_critic(width=2, num_classes=10),
        architectures.mnist_generator(4, width=2, num_classes=10),
        num_classes=10)
    result = quality.evaluate_generator(gan, reference, num_samples=30)
    labels = np.arange(30) % 10
    images = gan.generate(30, labels=labels, seed=0)
    logits = quality.classifier_logits(images, reference.classifier,
                                       min_images=2)
    assert result["model"]["class_accuracy"] == quality.accuracy_from_logits(
        logits, labels)


def test_joint_coloured_mnist_accuracy_asks_for_digit_and_colours():
    """The joint dataset's class accuracy is the share of images whose
    digit and both colours the shipped classifier reads as asked; real
    training images score as the classifier's held-out accuracy."""
    reference = quality.Reference.of("coloured_mnist_joint", num_samples=500)
    assert reference.logits.shape == (10000, 200)
    info = quality.classifier_info("coloured_mnist_joint")
    assert info == quality.classifier_info("coloured_mnist")
    assert reference.floor["class_accuracy"] > 0.97
    assert reference.floor["class_accuracy"] <= 1.0
    images, joint = keras_wgan.data.load_coloured_mnist_joint(
        "train", return_labels=True)
    logits = quality.classifier_logits(images[:500], reference.classifier)
    assert reference.floor["class_accuracy"] == \
        quality.accuracy_from_logits(logits, joint[:500])
    # A wrong colour alone makes a miss.
    digits, colours = keras_wgan.data.coloured_mnist.split_joint_labels(
        joint[:500])
    recoloured = keras_wgan.data.coloured_mnist.joint_labels(
        digits, colours[:, ::-1])
    assert quality.accuracy_from_logits(logits, recoloured) < 0.05


def test_digit_conditional_coloured_mnist_model_gets_its_digit_accuracy():
    """A model of coloured MNIST's 10 digits is judged by the digit the
    200-class classifier reads."""
    from keras_wgan.nets import dcgan

    gan = keras_wgan.ConditionalWGANGP(
        dcgan.dcgan_critic((32, 32, 3), width=2, num_classes=10),
        dcgan.dcgan_generator(4, (32, 32, 3), width=2, num_classes=10),
        num_classes=10)
    reference = quality.Reference.of("coloured_mnist", num_samples=40)
    result = quality.evaluate_generator(gan, reference, num_samples=40)
    labels = np.arange(40) % 10
    images = gan.generate(40, labels=labels, seed=0)
    digits, _ = quality.coloured_mnist_predictions(quality.classifier_logits(
        images, reference.classifier, min_images=2))
    assert result["model"]["class_accuracy"] == float(np.mean(
        digits == labels))
    # The floor's real digits are judged the same way.
    real, real_digits = keras_wgan.data.load_coloured_mnist(
        "train", return_labels=True)
    found, _ = quality.coloured_mnist_predictions(quality.classifier_logits(
        real[:40], reference.classifier, min_images=2))
    assert reference.floor["class_accuracy"] == float(np.mean(
        found == real_digits[:40]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="dataset must be one of"):
        quality.Reference.of("cifar10", 10)
    with pytest.raises(ValueError, match="num_samples must be <= 60000"):
        quality.Reference.of("mnist", 60001)
