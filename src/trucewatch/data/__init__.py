"""Domain knowledge as data files (see SOURCES.md for where each comes from and its licence).

The shipped conflict's data folder: `trucewatch.conflict` reads it (map.toml names the outline files the maps draw),
or another conflict's folder that the setting `data_dir` names (docs/conflict.md).
"""
