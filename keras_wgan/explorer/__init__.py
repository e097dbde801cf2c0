"""A local web page to look at what a model learned (`python -m keras_wgan
explore`).

- `session`: `Explorer`, what the page shows, computed without Gradio:
  samples of a seed with the critic's scores, walks between seeds, classes,
  nearest training images, a run's curves and sample grids.
- `app`: `build_app` and `serve`, the Gradio page (`pip install
  keras-wgan[explore]`).
"""

from keras_wgan.explorer.session import Explorer

__all__ = ["Explorer"]
