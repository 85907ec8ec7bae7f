"""One name per neuron: 1-based, inputs by feature label, hidden "H<layer>·<n>", outputs by
their name."""
import pytest

from model.core.naming import has_parameter, neuron_name, neuron_role, parameter_name
from model.playground import Playground, Settings


def test_names_of_a_playground_network():
    pg = Playground(Settings(hidden=(4, 2), features=("x1", "x2", "x1^2", "sin_x1")))
    sizes, ins, outs = pg.net.sizes, pg.net.inputs, pg.net.outputs
    assert [neuron_name(0, u, sizes, ins, outs) for u in range(4)] == [
        "x₁", "x₂", "x₁²", "sin(x₁)"]
    assert neuron_name(1, 0, sizes, ins, outs) == "H1·1"
    assert neuron_name(1, 3, sizes, ins, outs) == "H1·4"
    assert neuron_name(2, 1, sizes, ins, outs) == "H2·2"
    assert neuron_name(3, 0, sizes, ins, outs) == "p(1)"


def test_multiclass_and_regression_outputs_are_named_by_the_output():
    blobs = Playground(Settings(dataset="blobs", hidden=(3,)))
    n = blobs.net
    assert [neuron_name(2, k, n.sizes, n.inputs, n.outputs) for k in range(3)] == [
        "p(0)", "p(1)", "p(2)"]
    reg = Playground(Settings(dataset="plane", hidden=(3,)))
    n = reg.net
    assert neuron_name(2, 0, n.sizes, n.inputs, n.outputs) == n.outputs[0] != ""


def test_fallbacks_without_names_and_csv_columns():
    sizes = (3, 5, 2)
    assert [neuron_name(0, u, sizes) for u in range(3)] == ["x₁", "x₂", "x₃"]
    assert neuron_name(2, 1, sizes) == "Out·2"
    assert neuron_name(2, 0, sizes, outputs=("", "")) == "Out·1"
    assert neuron_name(0, 1, sizes, inputs=("age", "height", "weight")) == "height"
    assert neuron_name(0, 9, (12, 1)) == "x₁₀"


def test_roles_and_parameters():
    sizes = (2, 4, 1)
    assert neuron_role(1, 2, sizes) == "neuron 3 of hidden layer 1"
    assert neuron_role(0, 1, sizes) == "input 2" and neuron_role(2, 0, sizes) == "output 1"
    assert parameter_name(0, 1, 2, sizes, ("x1", "x2"), ("p(1)",)) == "x₂ → H1·3"
    assert parameter_name(1, -1, 0, sizes, ("x1", "x2"), ("p(1)",)) == "bias of p(1)"


@pytest.mark.parametrize("column, unit", [(3, 0), (1, 4), (-1, 0), (0, -1)])
def test_a_neuron_that_does_not_exist_is_an_index_error(column, unit):
    with pytest.raises(IndexError, match="no neuron"):
        neuron_name(column, unit, (2, 4, 1))


def test_has_parameter_knows_every_weight_and_bias_of_the_sizes_and_nothing_else():
    sizes = (2, 3, 1)
    present = {(l, i, j) for l in range(2) for i in range(-1, sizes[l])
               for j in range(sizes[l + 1])}
    assert len(present) == (2 + 1) * 3 + (3 + 1) * 1  # weights and biases: 13 parameters
    for l in range(-1, 4):
        for i in range(-2, 5):
            for j in range(-1, 5):
                assert has_parameter(l, i, j, sizes) == ((l, i, j) in present)
