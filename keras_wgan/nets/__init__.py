"""Networks: the critic and generator architectures and their layers.

- `architectures`: `mnist_critic`, `mnist_generator` (28x28 grey).
- `dcgan`: `dcgan_critic`, `dcgan_generator` for square images of 8x8 and
  up, grey or RGB (the WGAN-GP paper's 32x32 and 64x64 DCGANs).
- `resnet`: `resnet_critic`, `resnet_generator`, the WGAN-GP paper's
  CIFAR-10 ResNet.
- `bigan`: `mnist_encoder` and `mnist_joint_critic`, the BiGAN's encoder
  and critic of pairs `(x, z)` for MNIST.
- `cyclegan`: `image_translator` and `patch_critic`, CycleGAN's networks.
- `conditional`: the class conditioning every builder gets from
  `num_classes` (projection critic, one-hot labels beside the noise).
- `registry`: `ARCHITECTURES`, the architectures by command-line name,
  and `build_networks`, a critic and a generator of one of them.
- `layers`: `PaddedConv2D`, `PaddedConv2DTranspose`.
- `spectral`: `spectral_normalize`, a critic's layers wrapped in
  `keras.layers.SpectralNormalization` (used by `keras_wgan.WGANSN`).
- `layer_chain`: the direct forward pass of plain layer chains that training
  uses instead of `Layer.__call__` (internal).
"""

from keras_wgan.nets import architectures
from keras_wgan.nets import bigan
from keras_wgan.nets import conditional
from keras_wgan.nets import cyclegan
from keras_wgan.nets import dcgan
from keras_wgan.nets import layers
from keras_wgan.nets import registry
from keras_wgan.nets import resnet
from keras_wgan.nets import spectral

__all__ = [
    "architectures",
    "bigan",
    "conditional",
    "cyclegan",
    "dcgan",
    "layers",
    "registry",
    "resnet",
    "spectral",
]
