"""Source text and positions: the lowest layer, knows nothing of YAML."""
