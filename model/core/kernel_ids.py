"""The numbers by which the compiled kernels (compiled.py) name activations, losses,
optimizers and regularizations. Importable without numba: engine.py reads these tables to
decide whether the kernels can train a configuration, without loading the compiler.

Adding an activation to the kernels: an id here, and its two formulas (a = f(z), f′(z)) in
``compiled_steps.f`` and ``compiled_steps.f_prime``. A name missing here trains on numpy.
"""
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = 0, 1, 2, 3, 4
ACTIVATION_IDS = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "linear": LINEAR,
                  "softmax": SOFTMAX}

MSE, BCE, CCE = 0, 1, 2
LOSS_IDS = {"mse": MSE, "bce": BCE, "cce": CCE}

SGD, MOMENTUM, ADAM = 0, 1, 2
OPTIMIZER_IDS = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}

NO_REG, L1, L2 = 0, 1, 2
REGULARIZATION_IDS = {"none": NO_REG, "l1": L1, "l2": L2}
