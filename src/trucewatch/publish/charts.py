"""The compliance report's figures as SVG text: the daily timeline and the map of incidents.

Plain inputs in (days and counts, map points), an SVG string out. matplotlib draws on the Agg canvas and no pyplot
state is kept between calls. Output is deterministic: element ids come from a fixed hash salt, no date is written in
the metadata, and text is drawn as paths (no fonts needed to view the file), so the same data give the same bytes.

The map draws the conflict's area (`trucewatch.conflict.MapFrame`, from its data folder's map.toml: the shipped data
draw Natural Earth province outlines simplified by `scripts/build_boundaries.py`, public domain, see data/SOURCES.md)
with matplotlib patches: no download, no cartopy. Without a frame, or a frame without an extent, it fits the points.
"""
from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib import dates as mdates, ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from trucewatch.conflict import MapFrame

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

SVG_RC: dict[RcKeyType, Any] = {"svg.hashsalt": "trucewatch", "svg.fonttype": "path", "font.family": "DejaVu Sans",
                                "font.size": 8}
STATUS_COLOURS = {"inside": "#c0392b", "uncertain": "#e69f00", "outside": "#7f8c8d"}
STATUS_WORDS = {"inside": "inside the window", "uncertain": "boundary case (uncertain)",
                "outside": "outside the window"}
# Colour-blind-safe (Okabe-Ito) colours for the parties of the timeline, in order; "unattributed" is grey.
SERIES_COLOURS = ("#0072b2", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442")
UNATTRIBUTED_COLOUR = "#999999"
OTHER_FILL = "#f5f5f5"  # provinces of a country the frame gives no fill
FIT_MARGIN = 1.0  # degrees around the points when the frame has no extent


@dataclass(frozen=True, slots=True)
class MapPoint:
    """One incident on the map."""

    latitude: float
    longitude: float
    status: str  # "inside" | "uncertain" | "outside"
    fatalities: int | None = None
    label: str = ""  # a short number printed beside the point, tying it to the report's list


@dataclass(frozen=True, slots=True)
class BarSeries:
    """One series of the timeline's stacked bars: a count per day, and how many of them to hatch (boundary cases)."""

    label: str
    counts: tuple[int, ...]
    uncertain: tuple[int, ...]


# --- the timeline ----------------------------------------------------------------------------------------------


def timeline_svg(days: Sequence[date], series: Sequence[BarSeries], window_start: date | None = None,
                 window_end: date | None = None, title: str = "") -> str:
    """Stacked daily bars, one series per attribution (label: what it counts, as the legend shows it; "not
    attributed" and "several parties accused" get neutral colours); the uncertain part of each bar hatched. A dashed
    line marks the window's first day, a dotted one its last."""
    with matplotlib.rc_context(SVG_RC):
        return _timeline(days, series, window_start, window_end, title)


def _timeline(days: Sequence[date], series: Sequence[BarSeries], window_start: date | None,
              window_end: date | None, title: str) -> str:
    fig, ax = _figure(7.2, 2.0)
    x = [mdates.date2num(d) for d in days]
    bottom = [0] * len(days)
    colours = _series_colours([s.label for s in series])
    for s in series:
        colour = colours[s.label]
        sure = [c - u for c, u in zip(s.counts, s.uncertain, strict=True)]
        ax.bar(x, sure, bottom=bottom, width=0.8, color=colour, label=s.label, linewidth=0)
        bottom = [b + c for b, c in zip(bottom, sure, strict=True)]
        ax.bar(x, s.uncertain, bottom=bottom, width=0.8, color=colour, alpha=0.45, hatch="////", linewidth=0)
        bottom = [b + u for b, u in zip(bottom, s.uncertain, strict=True)]
    _window_lines(ax, window_start, window_end)
    _timeline_axes(ax, days, max(bottom, default=0), title)
    handles, _ = ax.get_legend_handles_labels()
    if any(any(s.uncertain) for s in series):
        handles.append(Patch(facecolor="#ffffff", edgecolor="#555555", hatch="////", linewidth=0.4,
                             label="boundary cases"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
    fig.tight_layout()
    return _svg(fig)


def _window_lines(ax: Axes, start: date | None, end: date | None) -> None:
    num = mdates.date2num
    if start is not None:
        ax.axvline(num(start) - 0.5, color="#333333", linestyle="--", linewidth=0.8)
    if end is not None:
        ax.axvline(num(end) + 0.5, color="#333333", linestyle=":", linewidth=0.8)


def _timeline_axes(ax: Axes, days: Sequence[date], highest: int, title: str) -> None:
    num = mdates.date2num
    if days:
        ax.set_xlim(num(days[0]) - 0.7, num(days[-1]) + 0.7)
    ax.set_ylim(0, max(highest, 1) * 1.15)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_ylabel("incidents per day")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title, loc="left", fontsize=9)


# --- the workplace's timeline: incidents and deaths with the agreements' windows -------------------------------

BAND_COLOURS = ("#cfe8d5", "#d6e4f2", "#f2e6c9", "#e6d6ee")  # pale fills of the agreements' windows, in turn
NEUTRAL_COLOURS = {"unidentified": "#b0b0b0", "not attributed": "#b0b0b0", "unattributed": UNATTRIBUTED_COLOUR,
                   "others": "#6f6f6f", "several parties accused": "#7a5195"}


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded span of days (an agreement's window); `end` None runs past the last day shown."""

    label: str
    start: date
    end: date | None
    strong: bool = False


def activity_svg(bins: Sequence[date], unit: str, incidents: Sequence[BarSeries], deaths: Sequence[BarSeries],
                 bands: Sequence[Band] = (), title: str = "", legend: Mapping[str, str] | None = None) -> str:
    """Two panels of stacked bars over the same days (or weeks: `unit`): incidents and deaths, one series per
    party (or side); the bands shaded behind them and named at the top. `legend`: what each series counts, in words,
    by label (default: the label)."""
    with matplotlib.rc_context(SVG_RC):
        return _activity(bins, unit, incidents, deaths, bands, title, legend or {})


def _activity(bins: Sequence[date], unit: str, incidents: Sequence[BarSeries], deaths: Sequence[BarSeries],
              bands: Sequence[Band], title: str, legend: Mapping[str, str]) -> str:
    fig = Figure(figsize=(9.6, 4.6))
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (1, 1), "hspace": 0.12})
    width = 0.8 if unit == "day" else 6.0
    offset = 0 if unit == "day" else 3.0
    colours = _series_colours([s.label for s in incidents])
    for ax, series, label in ((top, incidents, f"incidents per {unit}"), (bottom, deaths, f"deaths per {unit}")):
        x = [mdates.date2num(d) + offset for d in bins]
        stacked = [0] * len(bins)
        for s in series:
            ax.bar(x, s.counts, bottom=stacked, width=width, color=colours[s.label], label=s.label, linewidth=0,
                   zorder=2)
            stacked = [b + c for b, c in zip(stacked, s.counts, strict=True)]
        _bands(ax, bins, unit, bands, named=ax is top)
        _activity_axes(ax, bins, unit, max(stacked, default=0), label)
    handles = [Patch(facecolor=colours[s.label], label=legend.get(s.label, s.label)) for s in incidents]
    handles += [Patch(facecolor=BAND_COLOURS[n % len(BAND_COLOURS)], edgecolor="#555555" if b.strong else "none",
                      label=f"window: {b.label}") for n, b in enumerate(bands)]
    if handles:
        top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
    if title:
        top.set_title(title, loc="left", fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.66, top=0.9 if title else 0.95, bottom=0.1)
    return _svg(fig)


def _series_colours(labels: Sequence[str]) -> dict[str, str]:
    colours, n = {}, 0
    for label in labels:
        if label in NEUTRAL_COLOURS:
            colours[label] = NEUTRAL_COLOURS[label]
        else:
            colours[label] = SERIES_COLOURS[n % len(SERIES_COLOURS)]
            n += 1
    return colours


def _bands(ax: Axes, bins: Sequence[date], unit: str, bands: Sequence[Band], named: bool) -> None:
    if not bins:
        return
    num = mdates.date2num
    last = num(bins[-1]) + (1 if unit == "day" else 7)
    for n, band in enumerate(bands):
        start = max(num(band.start), num(bins[0]))
        end = min(num(band.end) + 1, last) if band.end else last
        if unit == "day":
            start, end = start - 0.5, end - 0.5
        ax.axvspan(start, end, facecolor=BAND_COLOURS[n % len(BAND_COLOURS)], alpha=1.0 if band.strong else 0.7,
                   edgecolor="#555555" if band.strong else "none", linewidth=0.8, zorder=0)
        if named:
            ax.text(start, 1.0 - 0.09 * (n % 4), f" {band.label}", transform=ax.get_xaxis_transform(), fontsize=6.5,
                    va="top", ha="left", color="#333333", fontweight="bold" if band.strong else "normal", zorder=3)


def _activity_axes(ax: Axes, bins: Sequence[date], unit: str, highest: int, label: str) -> None:
    num = mdates.date2num
    if bins:
        ax.set_xlim(num(bins[0]) - 0.7, num(bins[-1]) + (0.7 if unit == "day" else 7.0))
    ax.set_ylim(0, max(highest, 1) * 1.45)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=12))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y" if unit == "week" else "%d %b"))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_ylabel(label)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5, zorder=1)
    ax.set_axisbelow(True)


# --- the map ---------------------------------------------------------------------------------------------------


def map_svg(points: Sequence[MapPoint], title: str = "", frame: MapFrame | None = None) -> str:
    """Incidents over the conflict's provinces (`frame`): colour by window status, area by the best death
    estimate."""
    with matplotlib.rc_context(SVG_RC):
        return _map(points, title, frame or MapFrame())


def _map(points: Sequence[MapPoint], title: str, frame: MapFrame) -> str:
    fig, ax = _figure(7.2, 6.3)
    _provinces(ax, frame)
    _points(ax, points)
    lon0, lon1, lat0, lat1 = map_extent(points, frame)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1 / math.cos(math.radians((lat0 + lat1) / 2)))
    ax.tick_params(labelsize=6, length=2)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}°{'E' if v >= 0 else 'W'}"))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}°{'N' if v >= 0 else 'S'}"))
    _map_legend(ax, points)
    if title:
        ax.set_title(title, loc="left", fontsize=9)
    fig.tight_layout()
    return _svg(fig)


def map_extent(points: Sequence[MapPoint], frame: MapFrame) -> tuple[float, float, float, float]:
    """The frame's extent; without one, the points' with a margin (a degree around a lone point)."""
    if frame.extent is not None:
        return frame.extent
    lons, lats = [p.longitude for p in points] or [0.0], [p.latitude for p in points] or [0.0]
    return (min(lons) - FIT_MARGIN, max(lons) + FIT_MARGIN, min(lats) - FIT_MARGIN, max(lats) + FIT_MARGIN)


def _provinces(ax: Axes, frame: MapFrame) -> None:
    for outline in frame.outlines:
        for ring in outline.rings:
            if outline.level == "country":
                ax.plot(*zip(*ring, strict=True), color="#555555", linewidth=0.9, zorder=2)
            else:
                ax.add_patch(Polygon(ring, closed=True, facecolor=frame.fills.get(outline.country, OTHER_FILL),
                                     edgecolor="#a5a5a5", linewidth=0.3, zorder=1))
    for name, lon, lat in frame.labels:
        ax.text(lon, lat, name, fontsize=9, color="#8a8a8a", ha="center", va="center", zorder=2)


def _points(ax: Axes, points: Sequence[MapPoint]) -> None:
    for status in ("outside", "uncertain", "inside"):  # the ones that matter most drawn last, on top
        shown = [p for p in points if p.status == status]
        if not shown:
            continue
        ax.scatter([p.longitude for p in shown], [p.latitude for p in shown], s=[marker_area(p.fatalities)
                   for p in shown], c=STATUS_COLOURS.get(status, "#000000"), alpha=0.75, edgecolors="#222222",
                   linewidths=0.4, zorder=3)
    for (lon, lat), labels in label_groups(points).items():
        ax.annotate(", ".join(labels), (lon, lat), xytext=(3.5, 2.5), textcoords="offset points", fontsize=6,
                    color="#111111", zorder=4)


def label_groups(points: Sequence[MapPoint], within: float = 0.08) -> dict[tuple[float, float], list[str]]:
    """The labels of points that (nearly) share a place, joined: "14, 16" once, not two labels over each other."""
    groups: dict[tuple[float, float], list[str]] = {}
    for p in points:
        if not p.label:
            continue
        here = next((key for key in groups if abs(key[0] - p.longitude) <= within
                     and abs(key[1] - p.latitude) <= within), (p.longitude, p.latitude))
        groups.setdefault(here, []).append(p.label)
    return groups


def on_map(p: MapPoint, frame: MapFrame | None = None) -> bool:
    """Whether the point lies in the area the map shows (every point, when the frame has no extent: it fits them)."""
    return frame is None or frame.contains(p.longitude, p.latitude)


def marker_area(fatalities: int | None) -> float:
    """Marker area in points²: 12 for none or unknown, growing with the square root of the deaths."""
    return 12 + 18 * math.sqrt(max(fatalities or 0, 0))


def _map_legend(ax: Axes, points: Sequence[MapPoint]) -> None:
    statuses = [s for s in STATUS_COLOURS if any(p.status == s for p in points)] or ["inside"]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor=STATUS_COLOURS[s],
                      markeredgecolor="#222222", markeredgewidth=0.4, label=STATUS_WORDS[s]) for s in statuses]
    for deaths in (0, 10, 50):
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=math.sqrt(marker_area(deaths)),
                              markerfacecolor="none", markeredgecolor="#444444", markeredgewidth=0.6,
                              label=f"{deaths} deaths" if deaths else "no deaths reported"))
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=True, framealpha=0.9, borderpad=0.8,
              labelspacing=1.0)


# --- output ----------------------------------------------------------------------------------------------------


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _svg(fig: Figure) -> str:
    """The figure as SVG text; call inside `rc_context(SVG_RC)` (the hash salt is read when saving)."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]  # no XML declaration or doctype: the SVG is inlined into HTML
