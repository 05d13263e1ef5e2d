"""YAML text -> a node tree in which every key and value keeps its span."""
