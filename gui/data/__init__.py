"""Data in the window: the data panel, drawing your own points, opening and exporting CSV."""
