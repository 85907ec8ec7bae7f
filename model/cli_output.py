"""What the command line writes: exported networks (checked before training starts), the
per-epoch history as CSV, and the results as text or as JSON (``--json``).

Pure numpy and stdlib; the numbers are formatted by ``model.numbers`` so that accuracy reads
the same everywhere ("98.8%").
"""
from __future__ import annotations

import json
import sys
import time

from model.files.destination import check_destination
from model.numbers import finite_or_none, format_accuracy, format_loss

EXPORT_FORMATS = (".onnx", ".py", ".npz", ".json")
DEFAULT_DTYPE = "float64"  # model.files.export_onnx.DEFAULT_DTYPE, without importing onnx


def check_export(path, dtype: str | None, option: str) -> str:
    """Everything that can be known about writing ``path`` before any work is done: the suffix
    is a known format, the folder is writable, ONNX can be written (the optional ``onnx``
    package), and ``--dtype`` is only given for an .onnx file. ValueError (one line)."""
    suffix = check_destination(path, EXPORT_FORMATS, option)
    if dtype is not None and suffix != ".onnx":
        raise ValueError(f"--dtype applies to ONNX exports only ({option} FILE.onnx), "
                         f"not to {suffix} files")
    if suffix == ".onnx":
        from model.files.export_onnx import require_onnx
        require_onnx()
    return suffix


def write_export(net, meta: dict | None, path, dtype: str | None) -> None:
    """Write ``net`` to ``path`` in the format its suffix names (see ``check_export``)."""
    from pathlib import Path
    suffix = Path(path).suffix.lower()
    meta = meta or None
    if suffix == ".onnx":
        from model.files.export_onnx import export_onnx
        export_onnx(net, path, meta=meta, dtype=dtype or DEFAULT_DTYPE)
    elif suffix == ".py":
        from model.files.export_py import export_python
        export_python(net, path, meta=meta)
    else:
        from model.files.serialize import save_network
        save_network(net, path, meta=meta)


def write_history(history: dict, path) -> None:
    """The per-epoch history (``History.to_lists()``) as CSV at ``path``, atomically."""
    from model.files.atomic import write_bytes_atomically
    from model.files.history_csv import history_csv
    try:
        write_bytes_atomically(path, history_csv(history).encode("utf-8"))
    except OSError as e:
        raise ValueError(f"--history: cannot write {path} ({e.strerror or e})") from None


def train_results(pg, elapsed: float, *, export=None, history_file=None,
                  with_history: bool = False) -> dict:
    """The results of a training run as plain JSON values (NaN and infinities as null)."""
    trainer = pg.trainer
    m = trainer.evaluate()
    out = {
        "epochs": trainer.epoch,
        "seconds": elapsed,
        "epochs_per_second": trainer.epoch / max(elapsed, 1e-9),
        "engine": trainer.engine_description(),
        "task": pg.data.task,
        "loss": trainer.loss.name,
        "layer_sizes": list(pg.net.sizes),
        "train_rows": len(pg.X_train),
        "test_rows": len(pg.X_test),
        **{key: finite_or_none(m[key]) for key in ("train_loss", "test_loss",
                                                    "train_accuracy", "test_accuracy")},
        "diverged": trainer.diverged or None,
        "export": str(export) if export else None,
        "history_file": str(history_file) if history_file else None,
    }
    if pg.data.task != "classification":
        out["train_accuracy"] = out["test_accuracy"] = None
    else:  # each class by its name, on the test rows
        test = pg.confusion()["test"]
        out["test_accuracy_by_class"] = {
            name: finite_or_none(acc) for name, acc in zip(test.class_names, test.per_class)
        } if test.n_rows else None
    if with_history:
        lists = trainer.history.to_lists()
        out["history"] = {k: [v if k == "epoch" else finite_or_none(v) for v in values]
                          for k, values in lists.items()}
    return out


def print_results(results: dict, as_json: bool, stream=None) -> None:
    """The results as text lines, or as one JSON document."""
    stream = stream or sys.stdout
    if as_json:
        json.dump(results, stream, allow_nan=False)
        stream.write("\n")
        return
    r = results
    print(f"epochs {r['epochs']}  ({r['epochs_per_second']:.0f} epochs/s, engine {r['engine']})",
          file=stream)
    print(f"train loss {format_loss(r['train_loss'])}  test loss {format_loss(r['test_loss'])}",
          file=stream)
    if r["task"] == "classification":
        print(f"train accuracy {format_accuracy(r['train_accuracy'])}  "
              f"test accuracy {format_accuracy(r['test_accuracy'])}", file=stream)
        by_class = {k: v for k, v in (r.get("test_accuracy_by_class") or {}).items()
                    if v is not None}
        if by_class:
            print("test accuracy by class: " + ", ".join(
                f"{name} {format_accuracy(acc)}" for name, acc in by_class.items()), file=stream)
    if r["export"]:
        print(f"network saved to {r['export']}", file=stream)
    if r["history_file"]:
        print(f"history saved to {r['history_file']}", file=stream)


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise."""

    def __init__(self, total, enabled=True, stream=None):
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.next_report = 0.1
        self.last_draw = 0.0

    def update(self, done, loss):
        if not self.enabled:
            return
        frac = done / self.total
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw < 0.05 and done != self.total:
                return
            self.last_draw = now
            bar = "#" * int(30 * frac)
            self.stream.write(f"\r[{bar:<30}] epoch {done}/{self.total}  loss {loss:.6g}")
            if done == self.total:
                self.stream.write("\n")
        elif frac >= self.next_report - 1e-9 or done == self.total:
            while self.next_report <= frac + 1e-9:
                self.next_report += 0.1
            self.stream.write(f"[{int(frac * 100):3d}%] epoch {done}/{self.total}  loss {loss:.6g}\n")
        self.stream.flush()
