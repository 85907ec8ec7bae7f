"""model/ never imports Qt: it must work from a notebook or a script on its own."""
import ast
import pathlib
import subprocess
import sys

MODEL = pathlib.Path(__file__).resolve().parents[2] / "model"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "gui", "torch", "jax", "sklearn", "pickle")


def test_no_forbidden_import_in_any_model_module():
    for path in MODEL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_every_model_module_loads_no_qt():
    modules = [".".join(p.relative_to(MODEL.parent).with_suffix("").parts).removesuffix(".__init__")
               for p in MODEL.rglob("*.py")]
    code = ("import sys; import model; " + "; ".join(f"import {m}" for m in modules)
            + "; bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')];"
            + " print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=MODEL.parent, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
