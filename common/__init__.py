"""Plumbing every command line of the project shares: argument parsing that exits 64, one
output sink that survives closed pipes and full disks, signals, and bounded input files.

Imports nothing of the project, so every package (catalog's command line included) may use it.
"""
