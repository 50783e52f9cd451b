(function () {
  "use strict";
  // Sorting and filtering for the workloads table of the portfolio report. The table is complete
  // HTML without this script; the script only reads the DOM (textContent, data-* attributes) and
  // adds controls with createElement, so no text from the page is ever parsed as markup.
  var table = document.getElementById("workloads-table");
  if (!table || !table.tHead || !table.tBodies.length) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var searchText = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var state = { sort: "", descending: false, query: "", runtime: "", review: false };

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function sortKey(row, index, numeric) {
    var text = row.cells[index] ? row.cells[index].textContent.trim() : "";
    if (!numeric) {
      return text.toLowerCase();
    }
    var value = parseFloat(text.replace(/[^0-9.eE+-]/g, ""));
    return isNaN(value) ? null : value;
  }

  function applySort() {
    var index = -1;
    headers.forEach(function (th, i) {
      if (th.getAttribute("data-key") === state.sort) {
        index = i;
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    var order = rows.map(function (row, position) { return position; });
    if (index >= 0) {
      var numeric = headers[index].getAttribute("data-type") === "number";
      var keys = rows.map(function (row) { return sortKey(row, index, numeric); });
      var sign = state.descending ? -1 : 1;
      order.sort(function (a, b) {
        var x = keys[a], y = keys[b];
        if (x === y) { return a - b; }
        if (x === null) { return 1; }  // rows without a value go last either way
        if (y === null) { return -1; }
        return (x < y ? -1 : 1) * sign;
      });
    }
    var fragment = document.createDocumentFragment();
    order.forEach(function (position) { fragment.appendChild(rows[position]); });
    body.appendChild(fragment);
  }

  var count = element("output", { id: "workloads-count", "aria-live": "polite" });

  function applyFilter() {
    var query = state.query.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row, position) {
      var visible = (!query || searchText[position].indexOf(query) !== -1)
        && (!state.runtime || row.getAttribute("data-recommendation") === state.runtime)
        && (!state.review || row.getAttribute("data-review") === "1");
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }

  function saveState() {
    var parts = [];
    if (state.query) { parts.push("q=" + encodeURIComponent(state.query)); }
    if (state.runtime) { parts.push("runtime=" + encodeURIComponent(state.runtime)); }
    if (state.review) { parts.push("review=1"); }
    if (state.sort) { parts.push("sort=" + encodeURIComponent(state.sort) + (state.descending ? ":desc" : "")); }
    try {
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    } catch (error) {
      // A page opened from some viewers cannot change its address; the view still works.
    }
  }

  function loadState() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") === -1) {
      return;  // a plain anchor such as #row-17
    }
    hash.split("&").forEach(function (part) {
      var cut = part.indexOf("=");
      var name = cut === -1 ? part : part.slice(0, cut);
      var value = "";
      try { value = decodeURIComponent(part.slice(cut + 1).replace(/\+/g, " ")); } catch (error) { return; }
      if (name === "q") { state.query = value; }
      if (name === "runtime") { state.runtime = value; }
      if (name === "review") { state.review = value === "1"; }
      if (name === "sort") {
        state.descending = /:desc$/.test(value);
        state.sort = value.replace(/:(asc|desc)$/, "");
      }
    });
  }

  // The controls: a search box, a runtime choice (from the runtimes the rows name) and "needs review".
  var recommendationIndex = headers.findIndex(function (th) { return th.getAttribute("data-key") === "recommendation"; });
  var runtimeLabels = {};
  rows.forEach(function (row) {
    var id = row.getAttribute("data-recommendation");
    if (id && !(id in runtimeLabels) && recommendationIndex >= 0) {
      runtimeLabels[id] = row.cells[recommendationIndex].textContent.trim();
    }
  });
  var tools = element("div", { "class": "table-tools", role: "search", "data-enhanced": "controls" });
  var search = element("input", { type: "search", id: "workloads-filter", placeholder: "name, runtime, error",
                                  autocomplete: "off", spellcheck: "false" });
  var choose = element("select", { id: "workloads-runtime" });
  choose.appendChild(element("option", { value: "" }, "all recommendations"));
  Object.keys(runtimeLabels).sort().forEach(function (id) {
    choose.appendChild(element("option", { value: id }, runtimeLabels[id]));
  });
  var review = element("input", { type: "checkbox", id: "workloads-review" });
  var searchLabel = element("label", { "for": "workloads-filter" }, "Filter ");
  var chooseLabel = element("label", { "for": "workloads-runtime" }, "Recommendation ");
  var reviewLabel = element("label", { "for": "workloads-review" }, " needs a human look only");
  searchLabel.appendChild(search);
  chooseLabel.appendChild(choose);
  reviewLabel.insertBefore(review, reviewLabel.firstChild);
  [searchLabel, chooseLabel, reviewLabel, count].forEach(function (node) { tools.appendChild(node); });
  var wrapper = table.parentNode;  // the scrolling box around the table
  wrapper.parentNode.insertBefore(tools, wrapper);

  headers.forEach(function (th) {
    var key = th.getAttribute("data-key");
    if (!key) {
      return;
    }
    var button = element("button", { type: "button", "class": "sort" });
    while (th.firstChild) {
      button.appendChild(th.firstChild);
    }
    th.appendChild(button);
    button.addEventListener("click", function () {
      state.descending = state.sort === key ? !state.descending : false;
      state.sort = key;
      applySort();
      saveState();
    });
  });
  search.addEventListener("input", function () { state.query = search.value; applyFilter(); saveState(); });
  choose.addEventListener("change", function () { state.runtime = choose.value; applyFilter(); saveState(); });
  review.addEventListener("change", function () { state.review = review.checked; applyFilter(); saveState(); });

  loadState();
  search.value = state.query;
  choose.value = state.runtime;
  state.runtime = choose.value;  // an unknown runtime in the address falls back to "all"
  review.checked = state.review;
  applySort();
  applyFilter();
  table.setAttribute("data-enhanced", "sortable filterable");
}());
