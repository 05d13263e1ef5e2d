"""Dry-run simulation of digdag workflows: the task tree, the simulated clock, rendered commands."""
