"""The window's shell: the main window, the trainer's worker thread, actions, the top bar and the views' host."""
