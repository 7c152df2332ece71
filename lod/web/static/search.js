// Autocomplete for the search box (progressive enhancement: the form works without JavaScript).
(function () {
  "use strict";
  var input = document.querySelector("input[data-autocomplete]");
  if (!input) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2) { return; }
      fetch(input.dataset.autocomplete + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          data.results.forEach(function (hit) {
            var opt = document.createElement("option");
            opt.value = hit.label;   // textContent/value: never parsed as HTML
            list.appendChild(opt);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
