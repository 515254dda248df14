/*
 * Progressive map: turns <div class="map" data-lat data-lon data-zoom data-markers='[...]'
 * data-tiles data-attribution> into a Leaflet map. The page already shows the coordinates
 * and address as text; without JavaScript, Leaflet or tiles the map simply is not there.
 * Markers: [{"lat": 20.9, "lon": 107.1, "title": "...", "url": "/en/places/..."}].
 * Popups are built from DOM nodes with textContent, never from HTML strings.
 * window.PortalMap.draw(el) draws another element the same way and returns the Leaflet
 * map (or null): the search pages' maps (search-map.js) add their buttons to it.
 */
(function () {
  "use strict";

  function readMarkers(el) {
    try {
      var list = JSON.parse(el.getAttribute("data-markers") || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function isPoint(marker) {
    return Boolean(marker) && typeof marker.lat === "number" && typeof marker.lon === "number" &&
      isFinite(marker.lat) && isFinite(marker.lon);
  }

  function popupFor(marker) {
    var node = document.createElement(marker.url ? "a" : "span");
    if (marker.url) {
      node.setAttribute("href", marker.url);
    }
    node.textContent = marker.title || "";
    return node;
  }

  function escapeText(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  function addTiles(map, el) {
    var url = el.getAttribute("data-tiles");
    if (!url) {
      // No tile server configured: markers on a plain background are still useful.
      el.classList.add("map-no-tiles");
      return;
    }
    var layer = window.L.tileLayer(url, {
      maxZoom: 18,
      attribution: escapeText(el.getAttribute("data-attribution") || "")
    });
    layer.on("tileerror", function () {
      el.classList.add("map-no-tiles");
    });
    layer.addTo(map);
  }

  function draw(el) {
    var L = window.L;
    var points = readMarkers(el).filter(isPoint);
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    var zoom = parseInt(el.getAttribute("data-zoom") || "12", 10);
    var hasCentre = isFinite(lat) && isFinite(lon);
    if (!L || (!hasCentre && points.length === 0)) {
      return null;
    }
    el.classList.add("map-ready");
    var map = L.map(el, { scrollWheelZoom: false });
    addTiles(map, el);
    var bounds = [];
    points.forEach(function (marker) {
      var latLng = [Number(marker.lat), Number(marker.lon)];
      bounds.push(latLng);
      L.marker(latLng, { title: marker.title || "", alt: marker.title || "" })
        .bindPopup(popupFor(marker))
        .addTo(map);
    });
    if (hasCentre) {
      map.setView([lat, lon], zoom);
    } else if (bounds.length === 1) {
      map.setView(bounds[0], zoom);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    }
    return map;
  }

  window.PortalMap = { draw: draw };
  Array.prototype.forEach.call(document.querySelectorAll("div.map"), draw);
})();
