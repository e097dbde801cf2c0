"""Studies: toy problems, critic diagnostics and the model comparison.

- `toy`: the WGAN-GP paper's toy distributions (`MIXTURES`, the mixtures'
  parameters) and MLP critics/generators.
- `diagnostics`: critic value surfaces, gradient norms, weights, W1 checks.
- `transport`: the Wasserstein-1 distance, exact between samples
  (`exact_wasserstein`, optimal transport by POT) and as a settled critic
  estimates it (`estimate_wasserstein`).
- `fixed_generator`: `FixedGeneratorCritic`, the critic of any registered
  variant (clipping, penalties, spectral normalisation) trained alone
  against real data plus noise (the set-up of WGAN-GP's Fig. 1a).
- `compare`: the comparison's configuration, data and runner
  (`CompareConfig`, `load_data`, `run_comparison`).
- `training`: trains one variant of a comparison within its budget.
- `variant_state`: what a comparison keeps on disk to continue after a
  stop (`compare --resume`).
- `seeds`: the comparison over several seeds, mean and spread per variant
  (`run_seeds`, `compare --seeds`).
- `measures`: what a comparison measures (energy distance, mixture modes,
  classifier FID/score/coverage, the critic's gap and gradient norms).
- `report`: writes a comparison's folder (`report.md`, `results.json`,
  `arrays.npz`) and draws it again (`rerender`); `figures` draws its PNGs.
"""

from keras_wgan.studies import diagnostics
from keras_wgan.studies import fixed_generator
from keras_wgan.studies import toy
from keras_wgan.studies import transport

__all__ = ["diagnostics", "fixed_generator", "toy", "transport"]
