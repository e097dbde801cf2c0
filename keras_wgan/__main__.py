"""`python -m keras_wgan`: see `keras_wgan.cli`."""

import sys

from keras_wgan.cli import main

if __name__ == "__main__":
    sys.exit(main())
