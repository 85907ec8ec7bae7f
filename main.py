"""Backprop Playground, run from the source folder: ``python main.py [command] [options]``.

A thin shim: the installed program is ``backprop-playground`` (``gui.launch:main``); both accept
the same arguments (``--help`` lists them).
"""
import sys

from gui.launch import main

if __name__ == "__main__":
    sys.exit(main())
