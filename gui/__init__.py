"""Backprop Playground's Qt window: widgets, the trainer thread and drawing. Model code lives in
``model/`` and never imports Qt."""
