// Progressive enhancement of the public complaint form (it works without this file):
// the respondent search lists matches while typing, and the receipt's print, copy and
// save-as-image buttons work.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }  // textContent: agency names are never parsed as HTML
    return node;
  }

  function renderAgencies(container, agencies, chosen) {
    container.textContent = "";
    if (!agencies.length) {
      container.appendChild(el("p", { "class": "help" }, container.dataset.noMatch || "—"));
      return;
    }
    var list = el("ul", { "class": "choice-list" });
    agencies.forEach(function (agency) {
      var label = el("label", { "class": "choice" });
      var input = el("input", { type: "radio", name: "respondent_agency", value: String(agency.id) });
      if (String(agency.id) === chosen) { input.checked = true; }
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + agency.name));
      var item = el("li");
      item.appendChild(label);
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  function setUpSearch() {
    var box = document.querySelector("[data-agency-search]");
    var container = document.getElementById("agency-results");
    if (!box || !container || !window.fetch) { return; }
    var timer = null;
    var latest = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (!q) { return; }
        var ticket = ++latest;
        var checked = container.querySelector("input[name=respondent_agency]:checked");
        var chosen = checked ? checked.value : "";
        var url = box.dataset.agencySearch + "?is_active=true&page_size=20&q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (body) {
            if (body && ticket === latest) { renderAgencies(container, body.results || [], chosen); }
          })
          .catch(function () { /* the search button still works */ });
      }, 250);
    });
    box.addEventListener("keydown", function (event) {
      // Enter in the search box searches instead of submitting the complaint.
      if (event.key === "Enter") {
        event.preventDefault();
        box.dispatchEvent(new Event("input"));
      }
    });
  }

  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Copy a code to the clipboard; the button says so for a moment (and screen readers hear it).
  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { button.hidden = true; return; }
      var label = button.textContent;
      button.setAttribute("aria-live", "polite");
      button.addEventListener("click", function () {
        var source = document.querySelector(button.dataset.copy);
        if (!source) { return; }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = "\u2713 " + label;
          setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  // Save the receipt (access code included) as a PNG, drawn in the browser by the vendored
  // html-to-image (static/vendor/html-to-image); the buttons are left out of the picture. The
  // button stays hidden when the library did not load.
  function setUpSaveImage() {
    document.querySelectorAll("[data-save-image]").forEach(function (button) {
      var source = document.querySelector(button.dataset.saveImage);
      if (!window.htmlToImage || !source) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        window.htmlToImage.toPng(source, {
          backgroundColor: "#ffffff",
          pixelRatio: 2,
          skipFonts: true,
          filter: function (node) {
            return !(node.classList && node.classList.contains("no-print"));
          }
        }).then(function (url) {
          var link = el("a", { href: url, download: button.dataset.filename || "receipt.png" });
          document.body.appendChild(link);
          link.click();
          link.remove();
        }).catch(function () {
          window.alert(button.dataset.failed || "");
        }).then(function () { button.disabled = false; });
      });
    });
  }

  // After a failed submission, focus the error summary so it is read out and seen first.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.focus();
    // A summary link moves the focus into its field, not just the scroll position.
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    setUpSearch();
    setUpPrint();
    setUpCopy();
    setUpSaveImage();
  });
})();
