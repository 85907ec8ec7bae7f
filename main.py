"""Backprop Playground.

    python main.py                 open the window
    python main.py train ...       train headless (see --help)
    python main.py gradcheck ...   check backprop against numeric gradients
    python main.py export ...      weights to .onnx, .py (numpy only), .npz or .json
"""
import sys

HEADLESS_COMMANDS = {"train", "gradcheck", "export", "-h", "--help"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in HEADLESS_COMMANDS:
        from model.cli import run  # no Qt on this path: the command line starts fast
        return run(argv)
    from gui.app import run_app
    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
