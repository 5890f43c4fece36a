/* The entry grid: a spreadsheet-like table of one indicator's values.
   Arrow keys, Tab and Enter move between cells; typing edits; Escape reverts.
   Save sends only the changed cells, each with the version it was based on; the
   server answers each cell with saved, error or conflict. The checks here mirror
   the server's (indicators.services.validate_values), which stays the authority. */
(function () {
  "use strict";

  var table = document.getElementById("entry-grid");
  if (!table) return;
  var config = JSON.parse(document.getElementById("entry-config").textContent);
  var urls = document.getElementById("entry-urls").dataset;
  var csrf = document.querySelector("#entry-actions [name=csrfmiddlewaretoken]").value;
  var statusBox = document.getElementById("grid-status");
  var saveButton = document.getElementById("save-button");
  var FIELDS = ["value", "numerator", "denominator"];
  function validate(vals) { return window.EntryChecks.validate(vals, config.unit); }

  // Emptying every field of a cell that holds a saved value removes that value
  // (the server records the deletion in its history).
  function isClearing(td) {
    var vals = current(td);
    return Number(td.dataset.version || 0) > 0 &&
      FIELDS.every(function (f) { return !vals[f].trim(); });
  }

  function checks(td) { return isClearing(td) ? {} : validate(current(td)); }

  var rows = Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("td.cell"));
  });
  var edits = new Map(); // td -> {value, numerator, denominator} typed but not saved
  var errors = new Map(); // td -> {field: message}
  var active = null;
  var editing = false;

  // ---------- values and checks ----------

  function original(td) {
    var d = td.dataset;
    return { value: d.value || "", numerator: d.numerator || "", denominator: d.denominator || "" };
  }

  function current(td) {
    return edits.get(td) || original(td);
  }

  function isDirty(td) {
    var a = current(td), b = original(td);
    return FIELDS.some(function (f) { return a[f].trim() !== b[f]; });
  }

  // ---------- showing a cell ----------

  function messageOf(errs) {
    return Object.keys(errs).map(function (k) { return errs[k]; }).join(" ");
  }

  function render(td) {
    var input = td.querySelector(".cell__input");
    var dirty = isDirty(td);
    var errs = errors.get(td) || (dirty ? checks(td) : {});
    var invalid = Object.keys(errs).length > 0;
    td.classList.toggle("cell--dirty", dirty);
    td.classList.toggle("cell--invalid", invalid);
    input.setAttribute("aria-invalid", invalid ? "true" : "false");
    input.title = invalid ? messageOf(errs) : "";
    var d = td.dataset;
    var meta = td.querySelector(".cell__meta");
    var badge = meta.querySelector(".status");
    if (d.status) {
      if (!badge) {
        badge = document.createElement("span");
        meta.insertBefore(badge, meta.querySelector(".cell__ratio"));
        var hidden = meta.querySelector(".visually-hidden");
        if (hidden) hidden.remove();
      }
      badge.className = "status status--" + d.status;
      badge.textContent = d.statusLabel || d.status.charAt(0).toUpperCase() + d.status.slice(1);
    }
    var vals = current(td);
    var ratio = meta.querySelector(".cell__ratio");
    if (ratio) ratio.textContent = vals.numerator ? vals.numerator + " / " + vals.denominator : "";
    ["draft", "submitted", "approved", "returned"].forEach(function (s) {
      td.classList.toggle("cell--" + s, d.status === s);
    });
    if (td === active) showPanel(td);
  }

  function applyPoint(td, point) {
    var d = td.dataset;
    d.id = point ? point.id : "";
    d.version = point ? point.version : 0;
    d.status = point ? point.status : "";
    d.statusLabel = point ? point.status_label : "";
    d.updatedBy = point ? point.updated_by : "";
    FIELDS.forEach(function (f) { d[f] = point && point[f] !== null ? point[f] : ""; });
    edits.delete(td);
    errors.delete(td);
    td.querySelector(".cell__input").value = d.value;
    if (!point) {
      var badge = td.querySelector(".status");
      if (badge) badge.remove();
    }
    render(td);
  }

  function updateSaveButton() {
    var n = 0;
    rows.forEach(function (r) { r.forEach(function (td) { if (isDirty(td)) n += 1; }); });
    saveButton.disabled = n === 0;
    saveButton.textContent = n ? "Save " + n + (n === 1 ? " change" : " changes") : "Save changes";
    return n;
  }

  function announce(text) {
    statusBox.textContent = text;
  }

  // ---------- the selected cell's panel ----------

  var panel = {
    empty: document.getElementById("cell-panel-empty"),
    body: document.getElementById("cell-panel-body"),
    where: document.getElementById("cell-panel-where"),
    state: document.getElementById("cell-panel-state"),
    error: document.getElementById("cell-error"),
    numerator: document.getElementById("cell-numerator"),
    denominator: document.getElementById("cell-denominator"),
    history: document.getElementById("cell-history"),
  };

  function showPanel(td) {
    var d = td.dataset;
    panel.empty.hidden = true;
    panel.body.hidden = false;
    panel.where.textContent = d.geoName + ", " + d.period;
    var vals = current(td);
    ["numerator", "denominator"].forEach(function (f) {
      var input = panel[f];
      if (!input) return;
      if (document.activeElement !== input) input.value = vals[f];
      input.disabled = Boolean(d.locked);
    });
    var parts = [];
    if (d.locked) parts.push(d.locked + "; values cannot change.");
    if (d.status) parts.push((d.statusLabel || d.status) + ", version " + d.version + (d.updatedBy ? ", last changed by " + d.updatedBy : "") + ".");
    else parts.push("No value yet.");
    if (isDirty(td)) parts.push(isClearing(td) ? "Emptied: saving removes this value (its history is kept)." : "Changed, not saved yet.");
    panel.state.textContent = parts.join(" ");
    var errs = errors.get(td) || (isDirty(td) ? checks(td) : {});
    panel.error.hidden = Object.keys(errs).length === 0;
    panel.error.textContent = messageOf(errs);
    document.querySelectorAll("[data-cell-action]").forEach(function (b) {
      b.disabled = !d.id || isDirty(td) || Boolean(d.locked);
    });
    if (panel.history) {
      panel.history.hidden = !d.id;
      panel.history.href = urls.history.replace("/0/", "/" + d.id + "/");
    }
  }

  function setActive(td) {
    active = td;
    rows.forEach(function (r) { r.forEach(function (c) { c.classList.toggle("cell--active", c === td); }); });
    showPanel(td);
  }

  function editPanelField(field) {
    return function () {
      if (!active || active.dataset.locked) return;
      var vals = Object.assign({}, current(active));
      vals[field] = panel[field].value;
      edits.set(active, vals);
      errors.delete(active);
      render(active);
      updateSaveButton();
    };
  }
  if (panel.numerator) panel.numerator.addEventListener("input", editPanelField("numerator"));
  if (panel.denominator) panel.denominator.addEventListener("input", editPanelField("denominator"));

  // ---------- keyboard ----------

  function position(td) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(td);
      if (c >= 0) return [r, c];
    }
    return [0, 0];
  }

  function move(td, dr, dc) {
    var pos = position(td);
    var r = Math.min(Math.max(pos[0] + dr, 0), rows.length - 1);
    var c = Math.min(Math.max(pos[1] + dc, 0), rows[r].length - 1);
    rows[r][c].querySelector(".cell__input").focus();
  }

  table.addEventListener("focusin", function (event) {
    var td = event.target.closest("td.cell");
    if (!td) return;
    editing = false;
    setActive(td);
    event.target.select();
  });

  table.addEventListener("input", function (event) {
    var td = event.target.closest("td.cell");
    if (!td || td.dataset.locked) return;
    editing = true;
    var vals = Object.assign({}, current(td));
    vals.value = event.target.value;
    // Emptying the value in the grid empties the whole cell: its numerator and
    // denominator belong to that value.
    if (!vals.value.trim()) vals.numerator = vals.denominator = "";
    edits.set(td, vals);
    errors.delete(td);
    render(td);
    updateSaveButton();
  });

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    var td = input.closest && input.closest("td.cell");
    if (!td || event.altKey || event.ctrlKey || event.metaKey) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    var key = event.key;
    if (key === "ArrowUp" || key === "ArrowDown") {
      move(td, key === "ArrowUp" ? -1 : 1, 0);
    } else if (key === "ArrowLeft" && (!editing || atStart || whole)) {
      move(td, 0, -1);
    } else if (key === "ArrowRight" && (!editing || (atEnd && input.selectionStart === input.selectionEnd) || whole)) {
      move(td, 0, 1);
    } else if (key === "Enter") {
      move(td, event.shiftKey ? -1 : 1, 0);
    } else if (key === "Escape") {
      edits.delete(td);
      errors.delete(td);
      input.value = td.dataset.value || "";
      input.select();
      editing = false;
      render(td);
      updateSaveButton();
    } else if (key === "F2") {
      editing = true;
      input.setSelectionRange(input.value.length, input.value.length);
    } else {
      return;
    }
    event.preventDefault();
  });

  // ---------- talking to the server ----------

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server refused the request (" + response.status + ").");
        return data;
      });
    });
  }

  function findCell(period, geo) {
    var found = null;
    rows.forEach(function (r) {
      r.forEach(function (td) {
        if (td.dataset.period === period && td.dataset.geo === geo) found = td;
      });
    });
    return found;
  }

  function summarize(counts, verb) {
    var parts = [];
    if (counts.saved) parts.push(verb + " " + counts.saved + (counts.saved === 1 ? " value" : " values"));
    if (counts.conflict) parts.push(counts.conflict + (counts.conflict === 1 ? " conflict" : " conflicts") + " (see above the grid)");
    if (counts.error) parts.push(counts.error + (counts.error === 1 ? " value" : " values") + " not saved: " + counts.firstError);
    return parts.length ? parts.join("; ") + "." : "Nothing changed.";
  }

  saveButton.addEventListener("click", function () {
    var cells = [];
    var invalid = 0;
    rows.forEach(function (r) {
      r.forEach(function (td) {
        if (!isDirty(td)) return;
        if (Object.keys(checks(td)).length) { invalid += 1; return; }
        var vals = current(td);
        cells.push({
          period: td.dataset.period, geography: td.dataset.geo, version: Number(td.dataset.version || 0),
          value: vals.value.trim(), numerator: vals.numerator.trim(), denominator: vals.denominator.trim(),
        });
      });
    });
    if (invalid) {
      announce("Correct the " + invalid + (invalid === 1 ? " value" : " values") + " marked in red before saving; nothing was saved.");
      return;
    }
    saveButton.disabled = true;
    announce("Saving…");
    post(urls.save, { category: config.category, cells: cells }).then(function (data) {
      var counts = { saved: 0, error: 0, conflict: 0, firstError: "" };
      data.results.forEach(function (result) {
        var td = findCell(result.period, result.geography);
        if (!td) return;
        counts[result.result] += 1;
        if (result.result === "deleted") {
          counts.saved += 1;
          applyPoint(td, null);
        } else if (result.result === "saved") {
          applyPoint(td, result.point);
          td.classList.add("cell--saved");
          setTimeout(function () { td.classList.remove("cell--saved"); }, 2000);
        } else if (result.result === "error") {
          errors.set(td, result.errors);
          counts.firstError = counts.firstError || td.dataset.geoName + " " + td.dataset.period + ": " + messageOf(result.errors);
          render(td);
        } else {
          showConflict(td, result);
        }
      });
      updateSaveButton();
      announce(summarize(counts, "Saved"));
    }).catch(function (error) {
      updateSaveButton();
      announce("Not saved: " + error.message);
    });
  });

  // ---------- conflicts ----------

  var conflictBox = document.getElementById("conflicts");
  var conflictList = document.getElementById("conflict-list");

  function showConflict(td, result) {
    td.classList.add("cell--conflict");
    var item = document.createElement("li");
    item.className = "conflicts__item";
    var text = document.createElement("p");
    text.textContent = td.dataset.geoName + ", " + td.dataset.period + ": " + result.message +
      " Yours: " + current(td).value + ".";
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button button--secondary button--small";
    keep.textContent = "Keep theirs";
    var mine = document.createElement("button");
    mine.type = "button";
    mine.className = "button button--secondary button--small";
    mine.textContent = "Re-apply mine";
    item.append(text, keep, " ", mine);
    conflictList.append(item);
    conflictBox.hidden = false;

    function done(message) {
      td.classList.remove("cell--conflict");
      item.remove();
      conflictBox.hidden = conflictList.children.length === 0;
      updateSaveButton();
      announce(message);
      td.querySelector(".cell__input").focus();
    }
    keep.addEventListener("click", function () {
      applyPoint(td, result.current);
      done("Kept their value for " + td.dataset.geoName + ", " + td.dataset.period + ".");
    });
    mine.addEventListener("click", function () {
      var mineVals = current(td);
      applyPoint(td, result.current);
      edits.set(td, mineVals);
      td.querySelector(".cell__input").value = mineVals.value;
      render(td);
      done("Your value is back in " + td.dataset.geoName + ", " + td.dataset.period + "; press Save to apply it.");
    });
  }

  // ---------- workflow: submit, approve, return ----------

  function changeStatus(action, cells, comment) {
    if (!cells.length) {
      announce("There is nothing to " + action + " in this view.");
      return;
    }
    var points = cells.map(function (td) { return { id: Number(td.dataset.id), version: Number(td.dataset.version) }; });
    var byId = new Map(cells.map(function (td) { return [td.dataset.id, td]; }));
    announce("Working…");
    post(urls.status, { action: action, points: points, comment: comment || "" }).then(function (data) {
      var counts = { saved: 0, error: 0, conflict: 0, firstError: "" };
      data.results.forEach(function (result) {
        var td = byId.get(String(result.id));
        counts[result.result] += 1;
        if (result.result === "saved") applyPoint(td, result.point);
        else counts.firstError = counts.firstError || (result.label || "") + ": " + (result.message || messageOf(result.errors || {}));
        if (result.result === "conflict" && td && result.current) applyPoint(td, result.current);
      });
      var verbs = { submit: "Submitted", approve: "Approved", "return": "Returned" };
      if (counts.conflict) counts.firstError = counts.firstError || "someone else changed them; the grid shows their values now";
      counts.error += counts.conflict;
      counts.conflict = 0;
      announce(summarize(counts, verbs[action]));
    }).catch(function (error) {
      announce("Nothing changed: " + error.message);
    });
  }

  function cellsWith(statuses) {
    var found = [];
    rows.forEach(function (r) {
      r.forEach(function (td) {
        if (td.dataset.id && !td.dataset.locked && !isDirty(td) && statuses.indexOf(td.dataset.status) >= 0) found.push(td);
      });
    });
    return found;
  }

  var submitAll = document.getElementById("submit-all");
  if (submitAll) submitAll.addEventListener("click", function () { changeStatus("submit", cellsWith(["draft", "returned"])); });
  var approveAll = document.getElementById("approve-all");
  if (approveAll) approveAll.addEventListener("click", function () { changeStatus("approve", cellsWith(["submitted"])); });

  document.querySelectorAll("[data-cell-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!active) return;
      var action = button.dataset.cellAction;
      var comment = "";
      if (action === "return") {
        var field = document.getElementById("return-comment");
        comment = field.value.trim();
        if (!comment) {
          announce("Say what needs fixing before returning a value.");
          field.focus();
          return;
        }
      }
      changeStatus(action, [active], comment);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (updateSaveButton()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  rows.forEach(function (r) { r.forEach(render); });
})();
