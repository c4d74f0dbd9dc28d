/* The map of incidents (templates/map.html): Leaflet without tiles. The base layer is drawn from the app's own data:
 * the country and province outlines of /api/v1/boundaries (land filled, the rest of the world grey) and the names of
 * /api/v1/map/labels (provinces first; towns and districts as the map is zoomed in). The incidents come per view:
 * /api/v1/map?bbox=...&zoom=... counts them in clusters on the server (a ring per cluster, coloured by the types
 * of its incidents, with their number: a click zooms into the cluster's box) and gives the incidents shown alone
 * with what their popups say. Each move or zoom asks again (the last answer wins), so 100,000 incidents cost the
 * page no more than a few hundred shapes.
 *
 * No inline script and no HTML built from data: popups are DOM nodes filled with textContent. When a view is
 * drawn, #map gets data-state="ready", data-count (the incidents that match the filters), data-in-view and
 * data-views (how many views were drawn), and the page sets the performance marks "tw-map-drawn" (the first view)
 * and "tw-view-drawn" (each one): the browser tests and benchmarks/bench_web.py wait for and read them.
 */
(function () {
  "use strict";

  var element = document.getElementById("map");
  var status = document.getElementById("map-status");

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function data(name, fallback) {
    try {
      return element.dataset[name] ? JSON.parse(element.dataset[name]) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  if (!element || !window.L) {
    say("The map's scripts did not load.");
    return;
  }

  var AREA = data("area", null); // the conflict's area; null: fit the incidents
  var AREA_NAME = element.dataset.areaName || "the area shown";
  var LAND = ["#efe9d8", "#e6ebd3", "#eee2d6", "#e3e8de"]; // the countries' fills: land, never a sea colour
  var MAX_ZOOM = 13;
  var MAX_LABELS = 160; // names written in one view, the biggest places first

  var map = L.map(element, { zoomSnap: 0.25, minZoom: 3, maxZoom: MAX_ZOOM, worldCopyJump: false,
                             preferCanvas: false });
  map.attributionControl.setPrefix(false);
  if (element.dataset.credit) {
    map.attributionControl.addAttribution("Outlines and names: " + element.dataset.credit + ", GeoNames");
  }
  if (AREA) {
    map.fitBounds(AREA);
  } else {
    map.setView([20, 0], 3);
  }
  map.createPane("outlines");
  map.getPane("outlines").style.zIndex = 250; // below the incidents (overlayPane, 400)
  map.createPane("labels");
  map.getPane("labels").style.zIndex = 380;
  map.getPane("labels").style.pointerEvents = "none";

  function getJSON(url, signal) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: signal })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) {
            var error = body && body.error;
            throw new Error(error ? error.code + ": " + error.message : "HTTP " + r.status);
          }
          return body;
        });
      });
  }

  // --- the base layer ---------------------------------------------------------------------------------------

  function drawOutlines(geo) {
    var countries = [];
    L.geoJSON(geo, {
      pane: "outlines",
      interactive: false,
      style: function (feature) {
        var p = feature.properties || {};
        if (p.level === "country") {
          return { color: "#5a5448", weight: 1.6, fill: false };
        }
        if (countries.indexOf(p.country) < 0) { countries.push(p.country); }
        var fill = LAND[countries.indexOf(p.country) % LAND.length];
        return { color: "#b9ae98", weight: 0.7, fillColor: fill, fillOpacity: 1 };
      }
    }).addTo(map);
  }

  var labels = [];
  var labelLayer = L.layerGroup().addTo(map);

  function drawLabels() {
    labelLayer.clearLayers();
    var zoom = map.getZoom();
    var bounds = map.getBounds();
    var written = 0;
    var taken = []; // the boxes (in pixels) of the names written: a name that would overlap one is left out
    for (var i = 0; i < labels.length && written < MAX_LABELS; i++) {
      var l = labels[i]; // [name, latitude, longitude, kind, min_zoom], the biggest places first
      if (l[4] > zoom || !bounds.contains([l[1], l[2]])) { continue; }
      var at = map.latLngToContainerPoint([l[1], l[2]]);
      var half = 3.6 * l[0].length + 6;
      if (taken.some(function (t) { return Math.abs(t.x - at.x) < t.half + half && Math.abs(t.y - at.y) < 14; })) {
        continue;
      }
      taken.push({ x: at.x, y: at.y, half: half });
      var text = document.createElement("span");
      text.textContent = l[0];
      L.marker([l[1], l[2]], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ html: text, className: "tw-label tw-label-" + l[3], iconSize: null })
      }).addTo(labelLayer);
      written += 1;
    }
  }

  // --- the incidents ----------------------------------------------------------------------------------------

  function radius(deaths) {
    return Math.min(4 + 1.3 * Math.sqrt(Math.max(deaths || 0, 0)), 16);
  }

  function deathsText(low, best, high) {
    if (best === null && low === null) { return "none reported"; }
    if (low === best && high === best) { return String(best); }
    var range = high === null ? "at least " + low : low + "\u2013" + high;
    return (best === null ? "?" : String(best)) + " (" + range + ")";
  }

  function place(p) {
    var parts = [];
    [p.location, p.admin2, p.admin1, p.country].forEach(function (part) {
      if (part && parts.indexOf(part) < 0) { parts.push(part); }
    });
    return parts.join(", ") || "unknown";
  }

  function popup(p, types) {
    var box = document.createElement("dl");
    box.className = "tw-popup";
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(p.incident_id);
    link.textContent = p.incident_id;
    var days = p.first_date || "undated";
    if (p.last_date && p.last_date !== p.first_date) { days += " to " + p.last_date; }
    [["Incident", link], ["Type", types[p.type]], ["Date", days], ["Place", place(p)],
     ["Actors", [p.actor1, p.actor2].filter(Boolean).join("; ") || "unidentified"],
     ["Deaths (best, low\u2013high)", deathsText(p.deaths_low, p.deaths_best, p.deaths_high)],
     ["Contested", p.contested ? "yes: the accounts disagree" : "no"]].forEach(function (pair) {
      var term = document.createElement("dt");
      var value = document.createElement("dd");
      term.textContent = pair[0];
      if (typeof pair[1] === "string") { value.textContent = pair[1]; } else { value.appendChild(pair[1]); }
      if (pair[0] === "Contested" && p.contested) { value.className = "tw-contested"; }
      box.appendChild(term);
      box.appendChild(value);
    });
    return box;
  }

  function clusterIcon(c, colours) {
    var total = c.count;
    var stops = [];
    var at = 0;
    for (var t = 0; t < c.types.length; t++) {
      if (!c.types[t]) { continue; }
      var next = at + (360 * c.types[t]) / total;
      stops.push(colours[t] + " " + at.toFixed(1) + "deg " + next.toFixed(1) + "deg");
      at = next;
    }
    var size = total < 10 ? 28 : total < 100 ? 34 : total < 1000 ? 42 : 50;
    var ring = document.createElement("div");
    ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
    var label = document.createElement("span");
    label.textContent = total >= 10000 ? Math.round(total / 1000) + "k" : String(total);
    ring.appendChild(label);
    return L.divIcon({ html: ring, className: "tw-cluster marker-cluster", iconSize: L.point(size, size) });
  }

  function named(columns, row) {
    var o = {};
    for (var i = 0; i < columns.length; i++) { o[columns[i]] = row[i]; }
    return o;
  }

  function zoomInto(c) {
    var box = L.latLngBounds([c.south, c.west], [c.north, c.east]);
    if (box.getNorthEast().equals(box.getSouthWest())) {
      map.setView(box.getCenter(), Math.min(map.getZoom() + 3, MAX_ZOOM));
    } else {
      map.fitBounds(box.pad(0.1), { maxZoom: MAX_ZOOM });
    }
  }

  var incidentLayer = L.layerGroup().addTo(map);
  var openMarker = null;

  function drawView(body) {
    var d = body.data;
    var layers = [];
    d.clusters.forEach(function (row) {
      var c = named(d.cluster_columns, row);
      var marker = L.marker([c.latitude, c.longitude], { icon: clusterIcon(c, d.colours), keyboard: false,
        title: c.count + " incidents, " + c.deaths + " deaths (best estimates): click to zoom in" });
      marker.on("click", zoomInto.bind(null, c));
      layers.push(marker);
    });
    // A popup's auto-pan moves the map, and every move redraws the view: the marker whose popup is open is kept
    // as it is, so the popup does not vanish under the reader's pointer.
    var kept = openMarker && incidentLayer.hasLayer(openMarker) && d.points.some(function (row) {
      return named(d.columns, row).incident_id === openMarker.twIncident;
    }) ? openMarker : null;
    d.points.forEach(function (row) {
      var p = named(d.columns, row);
      if (kept && kept.twIncident === p.incident_id) { return; }
      var marker = L.circleMarker([p.latitude, p.longitude], {
        radius: radius(p.deaths_best), color: p.contested ? "#000" : "#222", weight: p.contested ? 1.6 : 0.7,
        fillColor: d.colours[p.type], fillOpacity: 0.85, className: "tw-marker tw-type-" + p.type
      });
      marker.twIncident = p.incident_id;
      marker.bindPopup(popup.bind(null, p, d.types));
      marker.on("popupopen", function () { openMarker = marker; });
      marker.on("popupclose", function () { if (openMarker === marker) { openMarker = null; } });
      layers.push(marker);
    });
    incidentLayer.eachLayer(function (layer) { if (layer !== kept) { incidentLayer.removeLayer(layer); } });
    layers.forEach(function (layer) { incidentLayer.addLayer(layer); });
    ready(d);
  }

  var views = 0;

  function ready(d) {
    views += 1;
    element.dataset.count = String(d.count);
    element.dataset.inView = String(d.in_view);
    element.dataset.views = String(views);
    element.dataset.state = "ready";
    performance.mark(views === 1 ? "tw-map-drawn" : "tw-view-drawn");
    var words = d.count === 1 ? "1 incident" : d.count.toLocaleString() + " incidents";
    var away = d.count - d.in_view;
    var here = away > 0 ? " (" + d.in_view.toLocaleString() + " in view; zoom out or move for the rest)" : "";
    say(words + " on the map" + here + "." + (d.truncated ? " Some are left out: narrow the dates or the area." : ""));
  }

  function clamp(v, low, high) { return Math.max(low, Math.min(high, v)); }

  function viewQuery() {
    var b = map.getBounds().pad(0.15);
    var box = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180),
               clamp(b.getNorth(), -85, 85)].map(function (v) { return v.toFixed(4); }).join(",");
    var params = new URLSearchParams(element.dataset.filters || "");
    params.set("bbox", box);
    params.set("zoom", String(map.getZoom()));
    return "/api/v1/map?" + params.toString();
  }

  var pending = null;

  function loadView() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    element.dataset.state = "loading";
    getJSON(viewQuery(), pending.signal).then(drawView).catch(function (err) {
      if (err.name === "AbortError") { return; }
      element.dataset.state = "failed";
      say("The incidents did not load: " + err.message);
    });
  }

  function fitIncidents() {  // no area in map.toml: one look at the whole world, then fit what was found
    return getJSON("/api/v1/map?" + element.dataset.filters + "&bbox=-180,-85,180,85&zoom=3").then(function (body) {
      var d = body.data;
      var spots = d.clusters.map(function (r) { return [r[5], r[4]]; }).concat(
        d.clusters.map(function (r) { return [r[7], r[6]]; }), d.points.map(function (r) { return [r[1], r[2]]; }));
      if (spots.length) { map.fitBounds(L.latLngBounds(spots).pad(0.2), { maxZoom: 9, animate: false }); }
    });
  }

  map.on("moveend", function () { drawLabels(); loadView(); });
  getJSON(element.dataset.boundaries).then(drawOutlines).catch(function () {
    say("The outlines did not load.");
  });
  getJSON(element.dataset.labels).then(function (body) {
    labels = body.data.labels;
    drawLabels();
  }).catch(function () { /* the map is still of use without its names */ });
  (AREA ? Promise.resolve() : fitIncidents()).then(loadView, loadView);
})();
