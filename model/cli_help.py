"""What ``--help`` shows: every option's default, a few examples per command, and the program
named as it was invoked (``backprop-playground`` when installed, ``main.py`` from the source)."""
from __future__ import annotations

import argparse
import textwrap

EXIT_CODES = ("exit codes: 0 done; 1 training diverged or the gradient check failed;\n"
              "            2 a wrong option, a bad file or no display")
WIDTH = 78


def wrapped(text: str) -> str:
    """A paragraph wrapped for the terminal (descriptions are kept as written otherwise)."""
    return textwrap.fill(text, WIDTH)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends "(default: …)" to every option that has a meaningful default, and keeps the
    examples' line breaks."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (not action.option_strings or "default" in text or default is None
                or default is False or default is argparse.SUPPRESS):
            return text
        if isinstance(default, tuple):
            default = ",".join(map(str, default)) or "none"
        return f"{text} (default: {str(default).replace('%', '%%')})".strip()


def _block(title: str, lines: list[str]) -> str:
    return title + ":\n" + "\n".join("  " + line for line in lines)


def top_epilog(prog: str) -> str:
    window = _block("the window", [
        f"{prog}                      open the window",
        f"{prog} --quit-after MS      ... and close it after MS milliseconds (smoke tests)",
        f"{prog} -style fusion        Qt's own options (-style, -platform, -reverse, ...)",
        "without a screen: QT_QPA_PLATFORM=offscreen, or xvfb-run -a " + prog])
    examples = _block("examples", [
        f"{prog} train --dataset spiral --hidden 8,8 --epochs 500 --export spiral.json",
        f"{prog} predict --init spiral.json --data points.csv --out predictions.csv",
        f"{prog} export --init spiral.json --to spiral_net.onnx --dtype float32",
        f"{prog} train --help             every option of a command"])
    return f"{window}\n\n{examples}\n\n{EXIT_CODES}"


COMMAND_EXAMPLES = {
    "train": [
        "{prog} train --dataset spiral --hidden 8,8 --lr 0.03 --epochs 500 --export spiral.json",
        "{prog} train --data my.csv --hidden 4 --loss bce --train-ratio 0.8 --json",
        "{prog} train --dataset xor --epochs 200 --history loss.csv --export xor_net.onnx "
        "--dtype float32",
        "{prog} train --init classic_2_2_2.json --data classic_2_2_2.csv --lr 0.5 "
        "--batch-size 1 --epochs 1 --no-shuffle",
    ],
    "predict": [
        "{prog} predict --init spiral.json --data points.csv            CSV on stdout",
        "{prog} predict --init spiral.json --data points.csv --out predictions.csv",
    ],
    "gradcheck": [
        "{prog} gradcheck --init W.json --data D.csv --loss mse",
    ],
    "export": [
        "{prog} export --init spiral.json --to spiral_net.onnx                float64",
        "{prog} export --init spiral.json --to spiral_net.onnx --dtype float32",
        "{prog} export --init spiral.json --to spiral_net.py      numpy only, runs as a script",
    ],
}


def command_epilog(prog: str, command: str) -> str:
    return _block("examples", [e.format(prog=prog) for e in COMMAND_EXAMPLES[command]])
