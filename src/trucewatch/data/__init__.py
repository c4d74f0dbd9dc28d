"""Domain knowledge as data files (see SOURCES.md for where each comes from and its licence)."""

# Natural Earth province outlines of Afghanistan and Pakistan, with the two countries' borders (simplified by
# scripts/build_boundaries.py): the compliance report's map and the workplace's map draw them.
BOUNDARY_FILES = ("naturalearth_admin1_afg.geojson", "naturalearth_admin1_pak.geojson")
