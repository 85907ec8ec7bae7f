""""Show the code" reads the reference from its module: every excerpt is reference.py's own
text at its own line numbers, every pick marks a line, and each phase marks its R-lines."""
import itertools
import pathlib

import pytest

from model.core import reference
from model.lessons.reference_lines import (PATH, edge_code, excerpt, output_delta_picks,
                                           phase_code, step_code)

SOURCE = (pathlib.Path(__file__).resolve().parents[2] / PATH).read_text().split("\n")
PAIRS = [("sigmoid", "bce"), ("sigmoid", "mse"), ("softmax", "cce"), ("softmax", "mse"),
         ("linear", "mse"), ("tanh", "mse")]
OPTIMIZERS, REGULARIZATIONS = ("sgd", "momentum", "adam"), ("none", "l1", "l2")


def assert_from_the_file(ex):
    assert ex.path == "model/core/reference.py"
    assert ex.lines, ex.function
    for line in ex.lines:
        assert SOURCE[line.number - 1] == line.text, (ex.function, line.number)
    assert ex.lines[0].text.startswith(f"def {ex.function}(")
    numbers = [line.number for line in ex.lines]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # the whole function


def every_excerpt():
    for kind, (act, loss), opt, reg in itertools.product(
            ("forward", "loss", "backward"), PAIRS, OPTIMIZERS, REGULARIZATIONS):
        for output in (True, False):
            yield phase_code(kind, output=output, activation=act, loss=loss, optimizer=opt,
                             regularization=reg)
    for opt, reg in itertools.product(OPTIMIZERS, REGULARIZATIONS):
        yield phase_code("update", output=False, activation="tanh", loss="mse", optimizer=opt,
                         regularization=reg)
    for (act, loss), opt, reg, output, bias in itertools.product(
            PAIRS, OPTIMIZERS, REGULARIZATIONS, (True, False), (True, False)):
        yield edge_code(output=output, bias=bias, activation=act, loss=loss, optimizer=opt,
                        regularization=reg)


def test_every_excerpt_is_the_reference_modules_own_text_and_marks_something():
    seen = set()
    for code in every_excerpt():
        assert code
        for ex in code:
            assert_from_the_file(ex)
            assert ex.marked, ex.function
            seen.add(ex.function)
    assert seen == {"forward", "mean_loss", "output_delta", "backward", "sgd_step",
                    "momentum_step", "adam_step", "regularize"}


def test_every_pick_finds_its_line():
    """A renamed variable or a moved label in reference.py shows here, not as a blank mark."""
    picks = {p for (act, loss) in PAIRS for p in output_delta_picks(act, loss)}
    picks |= {"R1", "R2", "R4", "R5", "R6", "forward(X, layers)", "loss.value(", "output_delta("}
    functions = [reference.forward, reference.mean_loss, reference.output_delta, reference.backward]
    for pick in picks:
        assert any(ex.marked for ex in (excerpt(fn, [pick]) for fn in functions)), pick
    for opt, reg in itertools.product(OPTIMIZERS, ("l1", "l2")):
        step, regularize = step_code(opt, reg)
        assert {line.key for line in step.marked} >= {"←"}
        assert {line.key for line in regularize.marked} == (
            {"r_prime =", "w = w_new - lr", "np.where"} if reg == "l1" else {"r_prime =", "w = w_new - lr"})


def labels(code):
    return [(ex.function, ex.labels) for ex in code]


@pytest.mark.parametrize("act,loss", PAIRS)
def test_each_phase_marks_the_lines_it_computes(act, loss):
    kw = dict(activation=act, loss=loss, optimizer="sgd")
    assert labels(phase_code("forward", output=False, **kw)) == [("forward", ("R1", "R2"))]
    hidden = phase_code("backward", output=False, **kw)
    assert labels(hidden) == [("backward", ("R5", "R6", "R4"))]
    # the (R4) label stands on a comment line: the statement under it is marked too
    r4 = [line for line in hidden[0].marked if line.key == "R4"]
    assert len(r4) == 2 and "delta = (delta @ W.T)" in r4[1].text
    out = phase_code("backward", output=True, **kw)
    assert [ex.function for ex in out] == ["output_delta", "backward"]
    marked = [line.text.strip() for line in out[0].marked]
    if (act, loss) in (("sigmoid", "bce"), ("softmax", "cce")):
        assert marked[-1].startswith("return a - Y")  # f′ cancels: δ = a − y
    elif act == "softmax":
        assert any("f.jacobian" in text for text in marked)
    else:
        assert out[0].labels == ("R3",) and marked[-1].startswith("return dC_da * f.derivative")
    assert out[1].labels == ("R5", "R6")
    assert labels(phase_code("update", output=False, **kw)) == [("sgd_step", ("R7",))]
    loss_code = phase_code("loss", output=True, **kw)
    assert [line.text.strip() for line in loss_code[0].marked][-1].startswith("return loss.value(")


def test_the_inspector_shows_different_lines_for_output_and_hidden_weights_and_biases():
    kw = dict(activation="linear", loss="mse", optimizer="momentum", regularization="l2")
    out_w = edge_code(output=True, bias=False, **kw)
    hid_w = edge_code(output=False, bias=False, **kw)
    hid_b = edge_code(output=False, bias=True, **kw)
    assert labels(out_w)[:2] == [("output_delta", ("R3",)), ("backward", ("R5",))]
    assert labels(hid_w)[0] == ("backward", ("R5", "R4"))
    assert labels(hid_b)[0] == ("backward", ("R6", "R4"))
    assert [ex.function for ex in out_w[2:]] == ["momentum_step", "regularize"]
    assert [ex.function for ex in hid_b[1:]] == ["momentum_step"]  # biases: no regularization


def test_unknown_phase_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown phase kind 'sideways'"):
        phase_code("sideways", output=False, activation="tanh", loss="mse", optimizer="sgd")
