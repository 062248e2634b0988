/* The console's small enhancements; every page works without them. */
(function () {
  "use strict";

  // The queue's respondent filter: suggestions from the public agency search (name or USCC
  // prefix) as the officer types; the typed text itself is what the filter sends.
  function setUpAgencySuggest() {
    var box = document.querySelector("[data-agency-suggest]");
    var list = box && document.getElementById(box.getAttribute("list"));
    if (!box || !list || !window.fetch) { return; }
    var timer = null;
    var latest = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 2) { return; }
        var ticket = ++latest;
        var url = box.dataset.agencySuggest + "?page_size=10&q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (body) {
            if (!body || ticket !== latest) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            (body.results || []).forEach(function (agency) {
              var option = document.createElement("option");
              option.value = agency.name;
              if (agency.uscc) { option.label = agency.uscc; }
              list.appendChild(option);
            });
          })
          .catch(function () { /* typing a name still filters */ });
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", setUpAgencySuggest);
})();
