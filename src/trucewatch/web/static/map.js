/* The map of incidents (templates/map.html): Leaflet without tiles, the country and province outlines of
 * /api/v1/boundaries, and the incidents of /api/v1/map as circles coloured by event type, clustered by
 * Leaflet.markercluster and added in chunks so that 30,000 of them do not freeze the page. The conflict's area comes
 * from #map's data attributes (its data folder's map.toml): data-area (the first view, [[south, west], [north,
 * east]]; empty: fit the incidents), data-fills (country -> fill), data-area-name and data-credit.
 *
 * No inline script and no HTML built from data: popups are DOM nodes filled with textContent. When every point
 * is on the map, #map gets data-state="ready" and data-count="N" (the browser tests wait for them).
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

  if (!element || !window.L || !L.markerClusterGroup) {
    say("The map's scripts did not load.");
    return;
  }

  var AREA = data("area", null); // the conflict's area; null: fit the incidents
  var COUNTRY_FILL = data("fills", {});
  var AREA_NAME = element.dataset.areaName || "the area shown";

  var map = L.map(element, { zoomSnap: 0.25, minZoom: 3, maxZoom: 13, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  if (element.dataset.credit) {
    map.attributionControl.addAttribution("Outlines: " + element.dataset.credit);
  }
  if (AREA) {
    map.fitBounds(AREA);
  } else {
    map.setView([20, 0], 3);
  }
  map.createPane("outlines");
  map.getPane("outlines").style.zIndex = 250; // below the incidents (overlayPane, 400)

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) {
          var error = body && body.error;
          throw new Error(error ? error.code + ": " + error.message : "HTTP " + r.status);
        }
        return body;
      });
    });
  }

  function drawOutlines(geo) {
    L.geoJSON(geo, {
      pane: "outlines",
      interactive: false,
      style: function (feature) {
        var p = feature.properties || {};
        if (p.level === "country") {
          return { color: "#4d4d4d", weight: 1.6, fill: false };
        }
        return { color: "#a5a5a5", weight: 0.6, fillColor: COUNTRY_FILL[p.country] || "#f5f5f5", fillOpacity: 1 };
      }
    }).addTo(map);
  }

  function radius(deaths) {
    return Math.min(4 + 1.3 * Math.sqrt(Math.max(deaths || 0, 0)), 16);
  }

  function popup(point, types) {
    var box = document.createElement("dl");
    box.className = "tw-popup";
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(point[0]);
    link.textContent = point[0];
    [["Incident", link], ["Type", types[point[3]]], ["First day", point[5] || "undated"],
     ["Deaths (best estimate)", point[4] === null ? "none reported" : String(point[4])]].forEach(function (pair) {
      var term = document.createElement("dt");
      var value = document.createElement("dd");
      term.textContent = pair[0];
      if (typeof pair[1] === "string") { value.textContent = pair[1]; } else { value.appendChild(pair[1]); }
      box.appendChild(term);
      box.appendChild(value);
    });
    return box;
  }

  function clusterIcon(colours) {
    return function (cluster) {
      var counts = new Array(colours.length).fill(0);
      var children = cluster.getAllChildMarkers();
      for (var i = 0; i < children.length; i++) { counts[children[i].options.twType] += 1; }
      var total = children.length;
      var stops = [];
      var at = 0;
      for (var t = 0; t < counts.length; t++) {
        if (!counts[t]) { continue; }
        var next = at + (360 * counts[t]) / total;
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
    };
  }

  function drawPoints(data) {
    var points = data.points;
    var colours = data.colours;
    var group = L.markerClusterGroup({
      chunkedLoading: true,
      chunkInterval: 150,
      chunkDelay: 30,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      maxClusterRadius: 45,
      iconCreateFunction: clusterIcon(colours),
      chunkProgress: function (done, total) {
        if (total !== points.length) {
          return; // adding the group to the map adds its (still empty) layers too: not ours
        }
        if (done < total) {
          say("Placing incidents: " + done.toLocaleString() + " of " + total.toLocaleString() + "\u2026");
        } else {  // called before the last chunk's clusters are put on the map: ready once they are
          setTimeout(ready, 0, points.length, data.truncated, outside(points));
        }
      }
    });
    var markers = new Array(points.length);
    for (var i = 0; i < points.length; i++) {
      var p = points[i];
      var marker = L.circleMarker([p[1], p[2]], {
        radius: radius(p[4]), color: "#222", weight: 0.7, fillColor: colours[p[3]], fillOpacity: 0.85,
        className: "tw-marker tw-type-" + p[3], twType: p[3]
      });
      marker.bindPopup(popup.bind(null, p, data.types));
      markers[i] = marker;
    }
    map.addLayer(group);
    if (points.length === 0) {
      ready(0, false, 0);
      return;
    }
    if (!AREA) {
      var around = L.latLngBounds(points.map(function (p) { return [p[1], p[2]]; })).pad(0.2);
      map.fitBounds(around, { maxZoom: 9, animate: false });
    }
    group.addLayers(markers);
  }

  function ready(count, truncated, away) {
    element.dataset.count = String(count);
    element.dataset.state = "ready";
    var words = count === 1 ? "1 incident" : count.toLocaleString() + " incidents";
    var elsewhere = away ? " (" + away.toLocaleString() + " of them outside " + AREA_NAME + ": zoom out)" : "";
    say(truncated ? words + elsewhere + " shown: the latest of more that match. Narrow the dates or the area."
                  : words + " on the map" + elsewhere + ".");
  }

  function outside(points) {
    if (!AREA) { return 0; }
    var bounds = L.latLngBounds(AREA);
    return points.filter(function (p) { return !bounds.contains([p[1], p[2]]); }).length;
  }

  getJSON(element.dataset.boundaries).then(drawOutlines).catch(function () {
    say("The outlines did not load.");
  });
  getJSON(element.dataset.points).then(function (body) { drawPoints(body.data); }).catch(function (err) {
    element.dataset.state = "failed";
    say("The incidents did not load: " + err.message);
  });
})();
