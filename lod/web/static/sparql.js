/* SPARQL query page: a tiny syntax highlighter and results without reloading. The page works without it. */
(function () {
  "use strict";
  var KW = /^(?:BASE|PREFIX|SELECT|DISTINCT|REDUCED|AS|CONSTRUCT|DESCRIBE|ASK|FROM|NAMED|WHERE|ORDER|BY|ASC|DESC|LIMIT|OFFSET|VALUES|OPTIONAL|GRAPH|UNION|MINUS|FILTER|BIND|GROUP|HAVING|EXISTS|NOT|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|LANGMATCHES|DATATYPE|BOUND|IRI|URI|BNODE|RAND|ABS|CEIL|FLOOR|ROUND|CONCAT|STRLEN|UCASE|LCASE|CONTAINS|STRSTARTS|STRENDS|STRBEFORE|STRAFTER|YEAR|MONTH|DAY|NOW|COALESCE|IF|REGEX|REPLACE|SUBSTR|ISIRI|ISURI|ISBLANK|ISLITERAL|ISNUMERIC|SAMETERM|TRUE|FALSE|A)$/i;
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][\w]+)|([A-Za-z_][\w.-]*:[\w.:%-]*|:[\w.:%-]*)|([A-Za-z_]\w*)/g;

  // Status texts in the page language: data-* attributes of the form, rendered by the template.
  function msg(name) { return document.getElementById("sparql-form").getAttribute("data-" + name) || ""; }

  function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      out += esc(text.slice(last, m.index));
      var cls = m[1] ? "cmt" : m[2] ? "str" : m[3] ? "iri" : m[4] ? "var" : m[5] ? "pn" : KW.test(m[6]) ? "kw" : "";
      out += cls ? '<span class="' + cls + '">' + esc(m[0]) + "</span>" : esc(m[0]);
      last = TOKEN.lastIndex;
    }
    return out + esc(text.slice(last)) + "\n";
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
      var a = document.createElement("a");
      var base = document.getElementById("results").getAttribute("data-base") || "";
      a.href = base && term.value.indexOf(base) === 0 ? "/" + term.value.slice(base.length) : term.value;
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = (term.type === "bnode" ? "_:" : "") + term.value;
      var suffix = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^" + term.datatype : "";
      if (suffix) { var s = document.createElement("span"); s.className = "dt"; s.textContent = suffix; td.appendChild(s); }
    }
    return td;
  }

  function render(section, data, resp, query) {
    section.textContent = "";
    if (resp.headers.get("X-KEP-Truncated") === "true") {
      var p = document.createElement("p");
      p.className = "truncated"; p.setAttribute("role", "alert");
      p.textContent = msg("truncated").replace("{by}", resp.headers.get("X-KEP-Truncated-By"));
      section.appendChild(p);
    }
    if (typeof data === "string") {
      var pre = document.createElement("pre"); pre.className = "graph"; pre.textContent = data; section.appendChild(pre);
    } else if (data.boolean !== undefined) {
      var b = document.createElement("p"); b.className = "boolean"; b.textContent = msg("answer") + ": " + data.boolean;
      section.appendChild(b);
    } else {
      var table = document.createElement("table"), head = table.createTHead().insertRow(), body = table.createTBody();
      table.className = "results";
      table.createCaption().textContent = msg("rows").replace("{n}", data.results.bindings.length);
      data.head.vars.forEach(function (v) { var th = document.createElement("th"); th.scope = "col"; th.textContent = "?" + v; head.appendChild(th); });
      data.results.bindings.forEach(function (row) {
        var tr = body.insertRow();
        data.head.vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      });
      section.appendChild(table);
    }
    var dl = document.createElement("p"); dl.className = "downloads"; dl.textContent = msg("download") + ": ";
    var names = typeof data === "string" ? ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"] : ["json", "xml", "csv", "tsv"];
    names.forEach(function (n) {
      var a = document.createElement("a");
      a.href = "?" + new URLSearchParams({query: query, format: n, download: "1"}).toString();
      a.textContent = n; a.setAttribute("download", ""); dl.appendChild(a); dl.appendChild(document.createTextNode(" "));
    });
    section.appendChild(dl);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sparql-form"), ta = document.getElementById("query");
    var code = document.getElementById("highlight"), editor = ta.parentNode, status = document.getElementById("status");
    var section = document.getElementById("results"), format = document.getElementById("format");
    function sync() { code.innerHTML = highlight(ta.value); code.parentNode.scrollTop = ta.scrollTop; }
    editor.classList.add("enhanced");
    ta.addEventListener("input", sync); ta.addEventListener("scroll", sync); sync();
    document.querySelectorAll("a[data-query]").forEach(function (a) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); ta.value = a.getAttribute("data-query"); sync(); form.requestSubmit(); });
    });
    form.addEventListener("submit", function (ev) {
      if (format.value !== "html") { return; }          // other formats: let the browser download/show them
      ev.preventDefault();
      var query = ta.value;
      status.textContent = msg("running");
      var state = {query: query, format: "html"};
      if (form.elements.lang) { state.lang = form.elements.lang.value; }
      history.replaceState(null, "", "?" + new URLSearchParams(state).toString());
      fetch(form.action, {method: "POST", headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.5",
        "Content-Type": "application/x-www-form-urlencoded"}, body: new URLSearchParams({query: query})})
        .then(function (resp) {
          var type = resp.headers.get("Content-Type") || "";
          return (type.indexOf("json") >= 0 ? resp.json() : resp.text()).then(function (data) {
            if (!resp.ok) { throw new Error(resp.status + " " + (data.message || data)); }
            status.textContent = ""; render(section, data, resp, query);
          });
        })
        .catch(function (err) { status.textContent = ""; section.textContent = ""; var p = document.createElement("p"); p.className = "error"; p.setAttribute("role", "alert"); p.textContent = err.message; section.appendChild(p); });
    });
  });
})();
