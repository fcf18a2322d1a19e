"""The kernel editor: the grid of weights, the editor around it and the presets bar."""
