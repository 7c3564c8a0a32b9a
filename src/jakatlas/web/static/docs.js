/* Renders /openapi.json as a browsable reference with a small "try it" form for GET calls. */
"use strict";
(function () {
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { el.textContent = attrs[k]; } else { el.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { el.appendChild(c); } });
    return el;
  }
  function schemaName(s) {
    if (!s) { return ""; }
    if (s.$ref) { return s.$ref.split("/").pop(); }
    if (s.type === "array") { return "array of " + schemaName(s.items); }
    if (s.anyOf) { return s.anyOf.map(schemaName).join(" | "); }
    if (s.enum) { return s.enum.join(" | "); }
    return s.type || "object";
  }
  function paramTable(params) {
    var rows = params.map(function (p) {
      return h("tr", {}, [h("td", { "class": "mono", text: p.name + (p.required ? " *" : "") }), h("td", { text: p.in }),
        h("td", { text: schemaName(p.schema) }), h("td", { text: p.description || "" })]);
    });
    var head = h("tr", {}, ["Name", "In", "Type", "Description"].map(function (t) { return h("th", { scope: "col", text: t }); }));
    return h("div", { "class": "table-wrap" }, [h("table", { "class": "data" }, [h("thead", {}, [head]), h("tbody", {}, rows)])]);
  }
  function tryForm(path, params, idx) {
    var form = h("form", { "class": "try", "aria-label": "Try " + path });
    var out = h("pre", { "aria-live": "polite", hidden: "" });
    params.forEach(function (p) {
      var id = "try-" + idx + "-" + p.name;
      form.appendChild(h("div", { "class": "field" }, [h("label", { "for": id, text: p.name }),
        h("input", { id: id, name: p.name, "data-in": p.in, placeholder: schemaName(p.schema) })]));
    });
    form.appendChild(h("div", { "class": "field field-submit" }, [h("button", { type: "submit", "class": "btn btn-primary", text: "Send" })]));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var url = path;
      var q = new URLSearchParams();
      form.querySelectorAll("input").forEach(function (i) {
        if (!i.value) { return; }
        if (i.dataset.in === "path") { url = url.replace("{" + i.name + "}", encodeURIComponent(i.value)); } else { q.append(i.name, i.value); }
      });
      var full = url + (q.toString() ? "?" + q.toString() : "");
      fetch(full, { headers: { Accept: "application/json" } }).then(function (r) {
        return r.text().then(function (t) {
          var body = t;
          try { body = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* not JSON */ }
          out.textContent = "GET " + full + "\n" + r.status + " " + r.statusText + "\n\n" + body.slice(0, 20000);
          out.hidden = false;
        });
      });
    });
    return h("div", {}, [form, out]);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("api-docs");
    if (!root) { return; }
    fetch("/openapi.json").then(function (r) { return r.json(); }).then(function (spec) {
      root.textContent = "";
      var groups = {};
      var idx = 0;
      Object.keys(spec.paths).forEach(function (path) {
        Object.keys(spec.paths[path]).forEach(function (method) {
          var op = spec.paths[path][method];
          var tag = (op.tags && op.tags[0]) || "other";
          (groups[tag] = groups[tag] || []).push({ path: path, method: method, op: op });
        });
      });
      Object.keys(groups).forEach(function (tag) {
        var section = h("section", { "class": "card", "aria-label": tag }, [h("h2", { text: tag.charAt(0).toUpperCase() + tag.slice(1) })]);
        groups[tag].forEach(function (e) {
          idx += 1;
          var op = e.op;
          var body = h("div", { "class": "op-body" }, [h("p", { text: op.description || "" })]);
          var params = op.parameters || [];
          if (params.length) { body.appendChild(h("h3", { text: "Parameters" })); body.appendChild(paramTable(params)); }
          if (op.requestBody) {
            var content = op.requestBody.content || {};
            var type = Object.keys(content)[0];
            body.appendChild(h("p", { text: "Request body (" + type + "): " + schemaName((content[type] || {}).schema) }));
          }
          var codes = Object.keys(op.responses || {}).map(function (c) { return c + " " + (op.responses[c].description || ""); });
          body.appendChild(h("p", { "class": "muted", text: "Responses: " + codes.join(" · ") }));
          if (op.security) { body.appendChild(h("p", { "class": "callout", text: "Needs a curator token: Authorization: Bearer TOKEN." })); }
          if (e.method === "get") { body.appendChild(tryForm(e.path, params, idx)); }
          section.appendChild(h("details", { "class": "op" }, [
            h("summary", {}, [h("span", { "class": "method method-" + e.method, text: e.method.toUpperCase() }),
              h("span", { "class": "path", text: e.path }), h("span", { "class": "muted", text: op.summary || "" })]),
            body]));
        });
        root.appendChild(section);
      });
    }).catch(function () {
      root.textContent = "The API description could not be loaded; open /openapi.json directly.";
    });
  });
})();
