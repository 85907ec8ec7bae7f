"""The code the standalone Python export writes, piece by piece: the feature transforms, the
activation functions, predict, predict_class and the command-line part. Each piece is the text of
Python source (the generated module needs only numpy, csv and sys)."""

# numpy expressions of the features, in terms of the raw columns x1 and x2. They compute
# exactly what ``features.FEATURES`` computes (x1 * x1, not x1 ** 2, to match bit for bit).
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1x2": "x1 * x2",
    "sin_x1": "np.sin(x1)",
    "sin_x2": "np.sin(x2)",
}

ACTIVATION_CODE = {
    "sigmoid": '''\
def sigmoid(z):
    """1 / (1 + e^-z); the argument is clipped so that e^-z cannot overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))
''',
    "tanh": '''\
def tanh(z):
    return np.tanh(z)
''',
    "relu": '''\
def relu(z):
    return np.maximum(z, 0.0)
''',
    "linear": '''\
def linear(z):
    return z
''',
    "leaky_relu": '''\
def leaky_relu(z):
    """z where z > 0, else 0.01 * z."""
    return np.maximum(z, 0.01 * z)
''',
    "elu": '''\
def elu(z):
    """z where z > 0, else e^z - 1 (alpha = 1)."""
    return np.maximum(z, np.expm1(np.minimum(z, 0.0)))
''',
    "softplus": '''\
def softplus(z):
    """log(1 + e^z), computed without overflow."""
    return np.logaddexp(z, 0.0)
''',
    "silu": '''\
def silu(z):
    """z * sigmoid(z) (also called swish)."""
    return (1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))) * z
''',
    "gelu_tanh": '''\
def gelu_tanh(z):
    """GELU, tanh approximation: 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))."""
    zc = np.clip(z, -50.0, 50.0)  # beyond |z| = 10 tanh is exactly +-1; no overflow in z^3
    return z * (0.5 * (np.tanh(GELU_C * (zc + 0.044715 * zc * zc * zc)) + 1.0))


GELU_C = 0.7978845608028654  # sqrt(2 / pi)
''',
    "softmax": '''\
def softmax(z):
    """e^z_j / sum_k e^z_k per row; the row maximum is subtracted first so exp stays finite."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
}


def activation_function(act) -> tuple[str, str]:
    """(name of the generated function, its source) for an activation of the network: the
    fixed ones from ``ACTIVATION_CODE``; a leaky ReLU of another slope gets its own function,
    e.g. ``leaky_relu_0_2``."""
    if act.name in ACTIVATION_CODE:
        return act.name, ACTIVATION_CODE[act.name]
    slope = repr(float(act.slope))
    ident = "leaky_relu_" + slope.replace(".", "_").replace("-", "_").replace("+", "")
    return ident, (f"def {ident}(z):\n"
                   f'    """z where z > 0, else {slope} * z."""\n'
                   f"    return np.maximum(z, {slope} * z)\n")


def predict_code(d: int, k: int) -> str:
    """``_as_rows`` and ``predict`` for d raw inputs and k outputs."""
    return f'''\
def _as_rows(X):
    """X as float64 (n, {d}); a single row ({d},) becomes (1, {d}). ValueError otherwise."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"X must be numbers of shape (n, {d}) or ({d},): {{e}}") from None
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != {d}:
        raise ValueError(f"X must have shape (n, {d}) or ({d},) with the columns "
                         f"{{', '.join(RAW_INPUTS)}}, got shape {{np.shape(X)}}")
    return X


def predict(X):
    """Outputs (n, {k}) for raw inputs X: (n, {d}) rows, or one row ({d},) -> (1, {k})."""
    a = scale_inputs(features(_as_rows(X)))
    for W, b, f in LAYERS:
        z = a @ W if b is None else a @ W + b
        a = f(z)
    return a
'''


def predict_class_code(rule: str, expr: str) -> str:
    """``predict_class``: ``rule`` in words for its docstring, ``expr`` computes it from a."""
    return f'''
def predict_class(X):
    """Class index per row (n,): {rule}."""
    a = predict(X)
    return {expr}
'''


PREDICT_LABEL_CODE = '''
def predict_label(X):
    """Class name per row (a list of strings), as the data file named the classes."""
    return [CLASSES[c] for c in predict_class(X).tolist()]
'''


def script_code(d: int, with_classes: bool) -> str:
    """The command-line part: read CSV rows of raw inputs, print CSV predictions (with a
    ``class`` column named from CLASSES when ``with_classes``)."""
    return f'''
def _ignored(name):
    """Columns of the app's own data CSV that are not inputs: label, y, y1..yk and split."""
    return name not in RAW_INPUTS and (name in ("label", "split", "y")
                                        or (name[:1] == "y" and name[1:].isdigit()))


def _numbers(cells):
    try:
        return [float(c) for c in cells]
    except ValueError:
        return None


def _read_rows(f):
    """Rows of raw inputs (n, {d}) from CSV text. A first row that is not all numbers is a
    header: the columns are then picked by name, or, when the names differ, the columns that
    are not label, y, y1..yk or split, in their order."""
    records = [(lineno, [c.strip() for c in row])
               for lineno, row in enumerate(csv.reader(f), start=1)]
    records = [(lineno, cells) for lineno, cells in records if any(cells)]
    header, columns = None, None
    if records and _numbers(records[0][1]) is None:
        header = records.pop(0)[1]
        if all(name in header for name in RAW_INPUTS):
            columns = [header.index(name) for name in RAW_INPUTS]
        else:
            columns = [j for j, name in enumerate(header) if not _ignored(name)]
            if len(columns) != {d}:
                raise ValueError(f"the header names {{header!r}}, expected the columns "
                                 f"{{', '.join(RAW_INPUTS)}}")
    rows = []
    for lineno, cells in records:
        if header is not None:
            if len(cells) != len(header):
                raise ValueError(f"line {{lineno}}: {{len(cells)}} cells, but the header has "
                                 f"{{len(header)}}")
            cells = [cells[j] for j in columns]
        if len(cells) != {d}:
            raise ValueError(f"line {{lineno}}: expected {d} numbers "
                             f"({{', '.join(RAW_INPUTS)}}), got {{len(cells)}}")
        values = _numbers(cells)
        if values is None:
            raise ValueError(f"line {{lineno}}: not a number in {{cells!r}}")
        if not all(abs(v) < float("inf") for v in values):
            raise ValueError(f"line {{lineno}}: values must be finite numbers, not {{cells!r}}")
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(-1, {d})


def main(argv=None):
    """CSV of raw inputs (stdin, or the file named by the argument) -> CSV of predictions."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print("usage: python " + sys.argv[0] + " [INPUTS.csv]  (reads stdin without a file)",
              file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        if argv and argv[0] != "-":
            with open(argv[0], newline="", encoding="utf-8-sig") as f:
                X = _read_rows(f)
        else:
            X = _read_rows(sys.stdin)
    except (OSError, ValueError) as e:
        print(f"error: {{e}}", file=sys.stderr)
        return 2
    Y = predict(X)
    writer = csv.writer(sys.stdout, lineterminator="\\n")''' + "\n" + (
        '''\
    labels = predict_class(X)
    writer.writerow(OUTPUTS + ["class"])
    for y, c in zip(Y.tolist(), labels.tolist()):
        name = CLASSES[c] if CLASSES is not None and c < len(CLASSES) else c
        writer.writerow([repr(v) for v in y] + [name])
    return 0
''' if with_classes else
        '''\
    writer.writerow(OUTPUTS)
    for y in Y.tolist():
        writer.writerow([repr(v) for v in y])
    return 0
''') + "\n" + '''
if __name__ == "__main__":
    sys.exit(main())
'''
