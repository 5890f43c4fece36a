/* The entry grid's checks, mirroring the server's (indicators.services.validate_values):
   a number; both numerator and denominator or neither; denominator > 0; numerator >= 0;
   a percent from 0 to 100 that equals 100 x numerator / denominator within 0.5.
   The server stays the authority: these only spare a round trip. */
(function () {
  "use strict";

  var TOLERANCE = 0.5;

  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  function toNumber(text, field, errs) {
    var clean = text.trim().replace(/,/g, "");
    if (!clean) return null;
    if (!NUMBER.test(clean)) {
      errs[field] = "'" + text.trim() + "' is not a number; write digits such as 42 or 57.3.";
      return null;
    }
    return Number(clean);
  }

  function validate(vals, unit) {
    var errs = {};
    var val = toNumber(vals.value, "value", errs);
    var num = toNumber(vals.numerator, "numerator", errs);
    var den = toNumber(vals.denominator, "denominator", errs);
    if (val === null && !errs.value) errs.value = "A value is required.";
    if ((num === null) !== (den === null) && !errs.numerator && !errs.denominator) {
      errs[den === null ? "denominator" : "numerator"] = "Give both numerator and denominator, or neither.";
    }
    if (den !== null && den <= 0) errs.denominator = "The denominator must be greater than 0.";
    if (num !== null && num < 0) errs.numerator = "The numerator cannot be negative.";
    if (val !== null && unit === "percent") {
      if (val < 0 || val > 100) {
        errs.value = val + " is not a percent; write a number from 0 to 100.";
      } else if (num !== null && den > 0 && Object.keys(errs).length === 0) {
        var expected = (100 * num) / den;
        if (Math.abs(val - expected) > TOLERANCE) {
          errs.value = val + "% does not match " + num + " / " + den + " = " + expected.toFixed(1) +
            "%; correct the value or the numerator and denominator.";
        }
      }
    }
    return errs;
  }

  window.EntryChecks = { validate: validate };
})();
