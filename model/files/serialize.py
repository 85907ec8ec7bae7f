"""Saving and loading a network's weights (JSON or npz): the public entry points.

The formats and their checks are described in ``weights_format``; writing is in
``weights_write``, reading in ``weights_read`` (JSON) and ``weights_read_npz``.
"""
from model.files.weights_format import FORMAT, SUFFIXES, VERSION, WeightsError
from model.files.weights_read import (load_network, load_network_with_meta,
                                       network_from_dict)
from model.files.weights_write import network_to_dict, save_network

__all__ = ["FORMAT", "VERSION", "SUFFIXES", "WeightsError", "load_network", "load_network_with_meta",
           "network_from_dict", "network_to_dict", "save_network"]
