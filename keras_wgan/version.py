"""The version of keras-wgan, in one place.

`keras_wgan.__version__`, the packaging metadata (`pyproject.toml` reads
this file) and the machine record of a study (`studies.compare`) all take
it from here.

Example:

>>> from keras_wgan.version import __version__
>>> __version__ == keras_wgan.__version__
True
"""

#: The package version (PEP 440), read by `pyproject.toml` and the CLI.
__version__ = "0.1.0"

__all__ = ["__version__"]
