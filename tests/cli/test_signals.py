"""keras_wgan.cli.signals: Ctrl-C and SIGTERM raise at once while a command
runs, wait for a safe point while it trains, and give the shell's status."""

import signal
import threading

import pytest

from keras_wgan.cli import signals

pytestmark = pytest.mark.above_the_models


@pytest.mark.parametrize("signum, status, name", [
    (signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")])
def test_interrupted_carries_the_signal_and_the_shell_status(signum, status,
                                                             name):
    stop = signals.Interrupted(signum)
    assert isinstance(stop, KeyboardInterrupt)
    assert (stop.signum, stop.status) == (signum, status)
    assert str(stop) == f"stopped by {name}"
    assert str(signals.Interrupted(signum, "said otherwise")) == \
        "said otherwise"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_inside_handled_raises_at_once(signum):
    before = signal.getsignal(signum)
    with pytest.raises(signals.Interrupted) as raised:
        with signals.handled():
            signal.raise_signal(signum)
            pytest.fail("the signal did not stop the block")
    assert raised.value.signum == signum
    # The handlers are given back as they were.
    assert signal.getsignal(signum) is before


def test_a_deferred_signal_waits_for_the_safe_point():
    with signals.handled(), signals.deferred():
        signal.raise_signal(signal.SIGTERM)
        assert signals.asked() == signal.SIGTERM  # asked, not raised
        with pytest.raises(signals.Interrupted) as raised:
            signals.stop_if_asked()
        assert raised.value.status == 143
        # Raised once: the request is used up.
        assert signals.asked() is None
        signals.stop_if_asked()


def test_a_second_ctrl_c_stops_at_once():
    with signals.handled(), signals.deferred():
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(signals.Interrupted) as raised:
            signal.raise_signal(signal.SIGINT)
        assert raised.value.signum == signal.SIGINT


def test_the_callback_stops_at_the_end_of_a_step_or_an_epoch():
    callback = signals.StopAtSafePoint()
    with signals.handled(), signals.deferred():
        callback.on_train_batch_end(0)  # nothing asked: goes on
        callback.on_epoch_end(0)
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(signals.Interrupted):
            callback.on_train_batch_end(1)
        signal.raise_signal(signal.SIGTERM)
        with pytest.raises(signals.Interrupted) as raised:
            callback.on_epoch_end(1)
        assert raised.value.signum == signal.SIGTERM


def test_leaving_the_blocks_forgets_a_pending_signal():
    with signals.handled():
        with signals.deferred():
            signal.raise_signal(signal.SIGTERM)
        assert signals.asked() == signal.SIGTERM
    assert signals.asked() is None


def test_outside_the_main_thread_the_handlers_stay_as_they_are():
    before = signal.getsignal(signal.SIGTERM)
    seen = []

    def work():
        with signals.handled():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [before]
