/* The map of France's communes (MapLibre GL JS, no tile server: our own shapes on a plain sea).
   The shapes come once (TopoJSON, cached by the browser); an indicator is one character per
   commune in the shapes' order, fetched when the user picks it. Overseas départements are drawn
   in their own small maps (insets). */
(function () {
  "use strict";

  var main = document.getElementById("carte");
  if (!main || !window.maplibregl || !window.topojson) { return; }
  var status = document.getElementById("map-status");
  var hover = document.getElementById("map-hover");
  var select = document.getElementById("indicateur");
  var depSelect = document.getElementById("departement");
  var search = document.getElementById("aller");
  var OUT = "#eeeeee", NONE = "#ffffff", SEA = "#dce9f2";
  var state = { features: null, legend: [], maps: [], byCode: {}, departements: null };

  maplibregl.setWorkerUrl(main.dataset.worker);

  function depOf(code) { return code.slice(0, code.startsWith("97") ? 3 : 2); }

  function style() {
    return { version: 8, sources: {}, layers: [{ id: "mer", type: "background", paint: { "background-color": SEA } }] };
  }

  function colourExpression() {
    var expression = ["match", ["get", "v"]];
    state.legend.forEach(function (item) { expression.push(String(item.classe), item.couleur); });
    expression.push("x", OUT, NONE);
    return expression;
  }

  function bounds(features) {
    var box = [180, 90, -180, -90];
    function walk(coords) {
      if (typeof coords[0] === "number") {
        box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
        box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
      } else { coords.forEach(walk); }
    }
    features.forEach(function (f) { walk(f.geometry.coordinates); });
    return [[box[0], box[1]], [box[2], box[3]]];
  }

  function addLayers(map, features) {
    map.addSource("communes", { type: "geojson", data: { type: "FeatureCollection", features: features } });
    map.addLayer({ id: "communes", type: "fill", source: "communes", paint: { "fill-color": colourExpression() } });
    map.addLayer({ id: "contours", type: "line", source: "communes", minzoom: 7,
                   paint: { "line-color": "#8a94a6", "line-width": 0.4 } });
    map.addSource("departements", { type: "geojson", data: state.departements });
    map.addLayer({ id: "departements", type: "line", source: "departements",
                   paint: { "line-color": "#4b5468", "line-width": 0.8 } });
    map.on("mousemove", "communes", function (e) {
      var p = e.features[0].properties;
      map.getCanvas().style.cursor = p.v === "x" ? "" : "pointer";
      hover.textContent = p.nom + " (" + p.code + ") : " + describe(p.v);
    });
    map.on("mouseleave", "communes", function () { map.getCanvas().style.cursor = ""; hover.textContent = ""; });
    map.on("click", "communes", function (e) {
      var p = e.features[0].properties;
      if (p.v !== "x") { window.location.href = main.dataset.communeUrl.replace("CODE", p.code); }
    });
  }

  function describe(value) {
    if (value === "x") { return "hors de votre territoire"; }
    var item = state.legend[Number(value)];
    return value === "-" || !item ? "pas de donnée" : item.libelle;
  }

  function makeMap(container, features, box, interactive) {
    var map = new maplibregl.Map({
      container: container, style: style(), bounds: box, fitBoundsOptions: { padding: 8 },
      attributionControl: false, dragRotate: false, pitchWithRotate: false,
      interactive: interactive, maxZoom: 13
    });
    if (interactive) { map.addControl(new maplibregl.NavigationControl({ showCompass: false })); }
    map.on("load", function () { addLayers(map, features); map.loaded_ = true; });
    map.features_ = features;
    state.maps.push(map);
    return map;
  }

  function applyValues(data) {
    state.legend = data.legende;
    var values = data.valeurs;
    state.features.forEach(function (f, i) { f.properties.v = values.charAt(i) || "-"; });
    state.maps.forEach(function (map) {
      var source = map.getSource && map.getSource("communes");
      if (source) {
        source.setData({ type: "FeatureCollection", features: map.features_ });
        map.setPaintProperty("communes", "fill-color", colourExpression());
      }
    });
    document.getElementById("legend-title").textContent = data.titre;
    var legend = document.getElementById("legend");
    legend.textContent = "";
    data.legende.forEach(function (item) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = item.couleur;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(item.libelle + " : " + item.communes.toLocaleString("fr-FR") + " communes"));
      legend.appendChild(li);
    });
    var note = data.note + (data.territoire !== "France entière" ? " Territoire : " + data.territoire + " (en gris : hors de votre territoire)." : "");
    document.getElementById("legend-note").textContent = note;
  }

  function loadValues(key) {
    document.body.dataset.mapReady = "0";
    status.textContent = "Chargement de l'indicateur…";
    return fetch(main.dataset.values + "?indicateur=" + encodeURIComponent(key), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        applyValues(data);
        status.textContent = "";
        var url = new URL(window.location.href);
        url.searchParams.set("indicateur", key);
        window.history.replaceState(null, "", url);
        whenIdle(function () { document.body.dataset.mapReady = "1"; });
      })
      .catch(function () { status.textContent = "L'indicateur n'a pas pu être chargé. Réessayez."; });
  }

  function whenIdle(done) {
    var waiting = state.maps.length;
    state.maps.forEach(function (map) {
      map.once("idle", function () { waiting -= 1; if (waiting === 0) { done(); } });
      map.triggerRepaint();
    });
  }

  function fitTo(features) {
    if (features.length) { state.maps[0].fitBounds(bounds(features), { padding: 30, maxZoom: 12 }); }
  }

  fetch(main.dataset.geometry, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (topology) {
      var collection = topojson.feature(topology, topology.objects.communes);
      state.features = collection.features;
      state.departements = topojson.mesh(topology, topology.objects.departements);
      var list = document.getElementById("map-communes");
      var fragment = document.createDocumentFragment();
      state.features.forEach(function (f) {
        f.properties.v = "-";
        state.byCode[f.properties.code] = f;
        var option = document.createElement("option");
        option.value = f.properties.nom + " (" + f.properties.code + ")";
        fragment.appendChild(option);
      });
      list.appendChild(fragment);
      var metro = state.features.filter(function (f) { return !f.properties.code.startsWith("97"); });
      var mainMap = makeMap(main, metro, [[-5.3, 41.3], [9.7, 51.2]], true);
      document.querySelectorAll(".map-inset-map").forEach(function (box) {
        var dep = box.dataset.dep;
        var own = state.features.filter(function (f) { return depOf(f.properties.code) === dep; });
        if (own.length) { makeMap(box, own, bounds(own), false); }
      });
      window.mandatureMap = { map: mainMap, maps: state.maps, byCode: state.byCode };
      var started = 0;
      state.maps.forEach(function (map) {
        map.on("load", function () {
          started += 1;
          if (started === state.maps.length) {
            var focus = main.dataset.focus;
            if (focus) {
              var deps = focus.split(",");
              fitTo(metro.filter(function (f) { return deps.indexOf(depOf(f.properties.code)) >= 0; }));
            }
            var wanted = new URL(window.location.href).searchParams.get("commune");
            if (wanted) { goTo(wanted); }
            loadValues(select.value);
          }
        });
      });
    })
    .catch(function () { status.textContent = "La carte n'a pas pu être chargée."; });

  function goTo(text) {
    var match = /\(([0-9][0-9AB][0-9]{3})\)\s*$/.exec(text) || /^\s*([0-9][0-9AB][0-9]{3})\s*$/.exec(text);
    var feature = match ? state.byCode[match[1]] : null;
    if (!feature) {
      var wanted = text.trim().toLowerCase();
      feature = state.features.find(function (f) { return f.properties.nom.toLowerCase() === wanted; });
    }
    if (!feature) { status.textContent = "Commune introuvable : « " + text + " »."; return; }
    status.textContent = "";
    var map = state.maps.find(function (m) { return m.features_.indexOf(feature) >= 0; }) || state.maps[0];
    map.fitBounds(bounds([feature]), { padding: 60, maxZoom: 12 });
    hover.textContent = feature.properties.nom + " (" + feature.properties.code + ") : " + describe(feature.properties.v);
  }

  select.addEventListener("change", function () { loadValues(select.value); });
  search.addEventListener("change", function () { if (search.value) { goTo(search.value); } });
  depSelect.addEventListener("change", function () {
    var dep = depSelect.value;
    if (!dep) { state.maps[0].fitBounds([[-5.3, 41.3], [9.7, 51.2]]); return; }
    var own = state.features.filter(function (f) { return depOf(f.properties.code) === dep; });
    var map = dep.startsWith("97") ? state.maps.find(function (m) { return m.features_.indexOf(own[0]) >= 0; }) : state.maps[0];
    if (map && own.length) { map.fitBounds(bounds(own), { padding: 20 }); }
  });
  document.getElementById("map-controls").addEventListener("submit", function (e) { e.preventDefault(); });
})();
