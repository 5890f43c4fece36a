/* The approval queue: one checkbox ticks or clears every row of the page. */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = document.querySelectorAll("input[name=point]");
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
})();
