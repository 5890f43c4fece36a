/* Menus of the navigation bars (<details> disclosures): one open at a time, and
   closed by a click elsewhere or Escape. They work without this script too. */
(function () {
  "use strict";

  var menus = document.querySelectorAll("details.subnav__group, details.switcher");

  function closeAll(except) {
    menus.forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) closeAll(menu);
    });
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.subnav__group, details.switcher")) closeAll(null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
})();
