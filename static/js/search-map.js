/*
 * The search page's enhancements, and the lodging page's map (its form is marked
 * data-map-form; a field marked data-clears-bbox, a named area, forgets the area
 * drawn on the map); the pages work without any of them:
 * - the map of the hits (<div class="search-map" data-markers='[{"lat","lon","title","url"}]'
 *   data-tiles="URL or empty">, drawn by map.js, which the page loads first), with a
 *   "Search this area" button that fills bbox= and submits the form (the list of
 *   results stays the fallback);
 * - "Near me": navigator.geolocation fills near= and submits (without permission, the
 *   commune filter still narrows the search);
 * - filter checkboxes submit the form as soon as they change; on a wide screen the
 *   filters (folded away on a phone) start open.
 * CSP forbids inline script: everything comes from data attributes.
 */
(function () {
  "use strict";

  // Leave empty fields out of the address: /en/search?q=cave, not ?q=cave&near=&bbox=…
  function dropEmptyFields(form) {
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      if (field.type !== "checkbox" && field.value === "") {
        field.disabled = true;
      }
    });
  }

  function send(form) {
    dropEmptyFields(form);
    form.submit();
  }

  function round(value) {
    return Math.round(value * 10000) / 10000;
  }

  function searchArea(map, form) {
    var input = form && form.querySelector("[data-bbox-input]");
    if (!input) {
      return;
    }
    var b = map.getBounds();
    input.value = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]
      .map(function (n) { return round(Math.max(Math.min(n, 180), -180)); })
      .join(",");
    // A named area (the lodging page's) gives way to the one drawn on the map.
    form.querySelectorAll("[data-clears-bbox]").forEach(function (field) { field.value = ""; });
    send(form);
  }

  function addAreaButton(el, map, form) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button search-area";
    button.textContent = el.getAttribute("data-area-label") || "Search this area";
    button.addEventListener("click", function () { searchArea(map, form); });
    el.parentNode.insertBefore(button, el.nextSibling);
  }

  function initMap(el, form) {
    var map = window.PortalMap ? window.PortalMap.draw(el) : null; // map.js, loaded first
    if (map) {
      addAreaButton(el, map, form);
    }
  }

  function initNearMe(form) {
    var button = form.querySelector("[data-near-me]");
    var input = form.querySelector("[data-near-input]");
    var status = form.querySelector("[data-near-status]");
    if (!button || !input || !navigator.geolocation) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          input.value = round(position.coords.latitude) + "," + round(position.coords.longitude);
          send(form);
        },
        function () {
          button.disabled = false;
          if (status) {
            status.textContent = button.getAttribute("data-denied") || "";
          }
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  // Choosing a named area again forgets the area last drawn on the map.
  function initNamedAreas(form) {
    var input = form.querySelector("[data-bbox-input]");
    form.querySelectorAll("[data-clears-bbox]").forEach(function (field) {
      field.addEventListener("change", function () {
        if (input) {
          input.value = "";
        }
      });
    });
  }

  function initAutosubmit(form) {
    form.querySelectorAll("[data-autosubmit]").forEach(function (box) {
      box.addEventListener("change", function () { send(form); });
    });
  }

  // On a wide screen the filters sit beside the results: show them open.
  function openWide() {
    if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (el) {
        el.open = true;
      });
    }
  }

  function start() {
    openWide();
    var form = document.querySelector("form.search-form, form[data-map-form]");
    if (form) {
      form.addEventListener("submit", function () { dropEmptyFields(form); });
      // Coming back to this page from the history must not find its fields switched off.
      window.addEventListener("pageshow", function () {
        form.querySelectorAll(":disabled").forEach(function (field) { field.disabled = false; });
      });
      initNearMe(form);
      initAutosubmit(form);
      initNamedAreas(form);
    }
    document.querySelectorAll(".search-map").forEach(function (el) { initMap(el, form); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
