"""Networks: the critic and generator architectures and their layers.

- `architectures`: `mnist_critic`, `mnist_generator`.
- `layers`: `PaddedConv2D`, `PaddedConv2DTranspose`.
- `layer_chain`: the direct forward pass of plain layer chains that training
  uses instead of `Layer.__call__` (internal).
"""

from keras_wgan.nets import architectures
from keras_wgan.nets import layers

__all__ = ["architectures", "layers"]
