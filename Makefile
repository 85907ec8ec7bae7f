# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    set up .venv and open the window
#   make test   set up .venv (and Qt's system libraries when root) and run every test offscreen
# and, once: make install-desktop (the menu entry and icon for this user; uninstall-desktop)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Libraries Qt's offscreen platform plugin loads at run time.
QT_OFFSCREEN_DEBS := libegl1 libgl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3
# Extra libraries for a real window (xcb platform plugin).
QT_XCB_DEBS := libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 \
               libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0

.PHONY: run test venv sysdeps sysdeps-gui bench clean demo install-desktop uninstall-desktop

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# The optional ONNX exporter; the app works without it, so a failure here is not fatal.
	-$(PY) -m pip install --quiet -e '.[onnx]'
	@$(PY) -c "import onnx, onnxruntime" 2>/dev/null || echo "note: ONNX export unavailable (onnx/onnxruntime did not install)"
	@# The compiled training path; without it everything trains on numpy. Its kernels compile
	@# once into the user cache folder, here rather than in the background of a first start.
	-$(PY) -m pip install --quiet -e '.[fast]'
	@$(PY) -c "from model.core import engine; engine.LOADER.wait(600) or print('note: compiled engine unavailable:', engine.LOADER.error)"
	@# MP4 recording (imageio-ffmpeg brings ffmpeg); GIF works without it.
	-$(PY) -m pip install --quiet -e '.[mp4]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# Installs missing Debian packages when root, else prints the command to run.
define ensure_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "note: not Debian/Ubuntu; Qt may need:$$missing"; \
	  elif [ "$$(id -u)" = 0 ]; then \
	    echo "installing Qt system libraries:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Qt needs system libraries; run: sudo apt-get install -y --no-install-recommends$$missing"; fi; \
	fi
endef

sysdeps:
	$(call ensure_debs,$(QT_OFFSCREEN_DEBS))

sysdeps-gui: sysdeps
	$(call ensure_debs,$(QT_XCB_DEBS))

test: sysdeps venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

run: sysdeps-gui venv
	$(PY) main.py

demo: venv
	$(PY) main.py train --dataset spiral --hidden 8,8 --epochs 200

# The application menu entry and icon, for this user only (XDG: ~/.local/share/applications and
# ~/.local/share/icons); the entry starts this checkout's .venv/bin/backprop-playground.
install-desktop: venv
	$(PY) -m gui.desktop_entry install

uninstall-desktop: venv
	$(PY) -m gui.desktop_entry uninstall

bench: venv
	QT_QPA_PLATFORM=offscreen $(PY) bench/engine_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
