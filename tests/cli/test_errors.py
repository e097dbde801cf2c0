"""keras_wgan.cli.errors: the one-line error and the exit statuses, as
`main` returns them."""

import pytest

from keras_wgan import cli
from keras_wgan.cli.errors import NON_FINITE_STATUS
from keras_wgan.cli.errors import REPLICA_LOST_STATUS
from keras_wgan.cli.errors import USAGE_STATUS
from keras_wgan.cli.errors import UsageError

pytestmark = pytest.mark.above_the_models


def test_the_statuses_are_distinct_and_usage_is_argparse_s():
    assert USAGE_STATUS == 2  # what argparse itself exits with
    assert len({USAGE_STATUS, NON_FINITE_STATUS, REPLICA_LOST_STATUS,
                0}) == 4


def test_a_usage_error_is_one_line_and_the_usage_status(capsys):
    assert issubclass(UsageError, Exception)
    assert not issubclass(UsageError, ValueError)  # not a library check
    assert cli.main(["train", "--out", "runs/a", "--epochs", "0"]) == \
        USAGE_STATUS
    err = capsys.readouterr().err.strip()
    assert err == ("error: python -m keras_wgan train: argument --epochs: "
                   "must be an integer >= 1, got 0.")
