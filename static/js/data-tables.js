/* Tables under the dashboards' charts: sort a table[data-sortable] by a column
   (buttons in its header cells, aria-sort kept right) and copy a table as
   tab-separated text for a spreadsheet (button[data-copy-table="TABLE-ID"]). */
(function () {
  "use strict";

  function cellKey(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (kind === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.trim().toLowerCase();
  }

  function sortBy(table, header, kind) {
    var index = header.cellIndex;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a, index, kind);
      var y = cellKey(b, index, kind);
      if (x === y) return 0;
      if (x === null) return 1; // hidden or missing values last, either way
      if (y === null) return -1;
      return (x < y ? -1 : 1) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("thead .sort-button").forEach(function (button) {
      button.addEventListener("click", function () {
        sortBy(table, button.closest("th"), button.getAttribute("data-sort"));
      });
    });
  });

  function asText(table) {
    return Array.prototype.map
      .call(table.rows, function (row) {
        return Array.prototype.map
          .call(row.cells, function (cell) {
            return cell.textContent.replace(/\s+/g, " ").trim();
          })
          .join("\t");
      })
      .join("\n");
  }

  document.querySelectorAll("[data-copy-table]").forEach(function (button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      var table = document.getElementById(button.getAttribute("data-copy-table"));
      var text = asText(table);
      var done = function () {
        button.textContent = "Copied";
        window.setTimeout(function () {
          button.textContent = label;
        }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {
          selectTable(table);
        });
      } else {
        selectTable(table);
      }
    });
  });

  // Without the clipboard API (plain http), select the table for Ctrl+C.
  function selectTable(table) {
    var range = document.createRange();
    range.selectNodeContents(table);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
})();
