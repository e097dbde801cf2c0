"""Studies: toy problems, critic diagnostics and the model comparison.

- `toy`: the WGAN-GP paper's toy distributions and MLP critics/generators.
- `diagnostics`: critic value surfaces, gradient norms, weights, W1 checks.
- `compare`: trains several models on one budget; `report` writes its folder.
"""

from keras_wgan.studies import diagnostics
from keras_wgan.studies import toy

__all__ = ["diagnostics", "toy"]
