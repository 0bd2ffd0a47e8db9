// Draws the insights map: US states shaded by practices shared (classes heat-0…5, as the legend beside it),
// metro coalitions as dots. The boundaries are us-atlas's states, already projected to Albers USA in a
// 975×610 frame; points are projected the same way with d3-geo. The figures come from a json_script element
// (insights/figures.py: practices_by_place); without JavaScript the "Show data" table stands in.
(function () {
  "use strict";
  var box = document.querySelector("[data-map]");
  if (!box || typeof d3 === "undefined" || typeof topojson === "undefined") return;
  var source = document.getElementById(box.dataset.map);
  if (!source) return;
  var figure = JSON.parse(source.textContent);
  var SVG = "http://www.w3.org/2000/svg";

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function titled(node, text) {
    element("title", {}, node).textContent = text;
    return node;
  }

  function plural(n) { return n + (n === 1 ? " practice" : " practices"); }

  fetch(box.dataset.atlas, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (atlas) {
      var byName = {};
      figure.states.forEach(function (state) { byName[state.name] = state; });
      var svg = element("svg", {
        viewBox: "0 0 975 610",
        role: "img",
        "aria-labelledby": box.dataset.labelledby,
        class: "us-map",
        focusable: "false",
      });
      var path = d3.geoPath();
      var states = element("g", { class: "map-states" }, svg);
      topojson.feature(atlas, atlas.objects.states).features.forEach(function (feature) {
        var name = feature.properties.name;
        var shared = byName[name];
        var shape = element("path", { d: path(feature), class: "map-state heat-" + (shared ? shared.level : 0) }, states);
        titled(shape, name + ": " + plural(shared ? shared.n : 0));
      });
      element("path", {
        d: path(topojson.mesh(atlas, atlas.objects.states, function (a, b) { return a !== b; })),
        class: "map-borders",
      }, svg);
      var project = d3.geoAlbersUsa().scale(1300).translate([487.5, 305]);
      var metros = element("g", { class: "map-metros" }, svg);
      figure.metros.forEach(function (metro) {
        var at = project([metro.lon, metro.lat]);
        if (!at) return;
        var dot = element("circle", { cx: at[0].toFixed(1), cy: at[1].toFixed(1), r: metro.radius, class: "map-metro" }, metros);
        titled(dot, metro.name + " (metro): " + plural(metro.n));
        var label = element("text", { x: (at[0] + metro.radius + 4).toFixed(1), y: (at[1] + 5).toFixed(1), class: "map-label" }, metros);
        label.textContent = metro.name;
      });
      box.replaceChildren(svg);
    })
    .catch(function () {
      box.hidden = true; // the table below still has every figure
    });
})();
