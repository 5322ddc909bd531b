/* The self-evaluation form (自评表): scores, the total and the grade as one types.
 *
 * form[data-selfeval data-rules]  the rules as JSON (selfeval.services.page_rules): the 定性
 *                                 bands, the grade boundaries, the deviation threshold.
 * tr[data-weight data-kind]       an indicator row: its 分值 and whether it is the 预算执行率;
 *                                 its fields are named ind-<id>-nature, -target, -actual,
 *                                 -band, -score, -applicable, -deviation_reason.
 * tr[data-nature data-target]     a row whose approved target is shown, not typed (绩效目标
 *                                 已批复): its 指标性质 and 年度指标值 (there are no such fields).
 * [data-qualitative]              a row's 评价档次 and 得分 fields, shown when its 指标性质 is 定性;
 * output[data-score]              otherwise its computed score.
 * output[data-rate=KIND]          the 执行率 of a funding row (funding-KIND-annual_budget and
 *                                 funding-KIND-executed); the 预算执行率 row shows the total's.
 * [data-total], [data-grade]      the 总分 and the 评价等级.
 *
 * The server's scoring (workflow/scoring.py, Decimal) stays the authority: what is saved is
 * what it computes. This mirrors the same formulas with the same arithmetic — decimal numbers
 * as BigInt coefficients, 28 significant digits rounded half-even for each division and
 * product as Python's decimal context does, scores rounded to 0.01 half-up and clamped to
 * [0, 分值] — so the total shown before saving is the total after.
 * No framework, no inline script (the Content-Security-Policy allows only 'self' scripts).
 */
(function () {
  "use strict";

  var PREC = 28;
  var ZERO = { c: 0n, e: 0 };
  var ONE = { c: 1n, e: 0 };
  var TWO = { c: 2n, e: 0 };
  var HUNDRED = { c: 100n, e: 0 };

  // Decimal numbers: value = c × 10^e ----------------------------------------------------

  function pow10(n) {
    return 10n ** BigInt(n);
  }

  function abs(c) {
    return c < 0n ? -c : c;
  }

  function digits(c) {
    return abs(c).toString().length;
  }

  // abs(c) ÷ 10^k rounded by mode; sticky: something non-zero was already cut off below c.
  function shiftRound(c, k, mode, sticky) {
    var negative = c < 0n;
    var magnitude = abs(c);
    var p = pow10(k);
    var q = magnitude / p;
    var twice = (magnitude % p) * 2n;
    var up = false;
    if (mode === "half_up") {
      up = twice >= p;
    } else if (mode === "half_even") {
      up = twice > p || (twice === p && (sticky || q % 2n === 1n));
    }
    if (up) {
      q += 1n;
    }
    return negative ? -q : q;
  }

  function roundPrec(x, sticky) {
    var extra = digits(x.c) - PREC;
    if (extra <= 0) {
      return x;
    }
    return { c: shiftRound(x.c, extra, "half_even", sticky), e: x.e + extra };
  }

  function align(a, b) {
    var e = Math.min(a.e, b.e);
    return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e];
  }

  function cmp(a, b) {
    var pair = align(a, b);
    return pair[0] < pair[1] ? -1 : pair[0] > pair[1] ? 1 : 0;
  }

  function sub(a, b) {
    var pair = align(a, b);
    return roundPrec({ c: pair[0] - pair[1], e: pair[2] });
  }

  function add(a, b) {
    var pair = align(a, b);
    return roundPrec({ c: pair[0] + pair[1], e: pair[2] });
  }

  function mul(a, b) {
    return roundPrec({ c: a.c * b.c, e: a.e + b.e });
  }

  function div(a, b) {
    if (a.c === 0n) {
      return ZERO;
    }
    var n = abs(a.c);
    var d = abs(b.c);
    var s = Math.max(0, PREC + digits(d) - digits(n) + 1);
    var scaled = n * pow10(s);
    var q = scaled / d;
    var sticky = scaled % d !== 0n;
    var negative = (a.c < 0n) !== (b.c < 0n);
    var result = roundPrec({ c: q, e: a.e - b.e - s }, sticky);
    return negative ? { c: -result.c, e: result.e } : result;
  }

  function min(a, b) {
    return cmp(a, b) <= 0 ? a : b;
  }

  function max(a, b) {
    return cmp(a, b) >= 0 ? a : b;
  }

  // To 0.01 (e = -2).
  function quantize(x, mode) {
    if (x.e >= -2) {
      return { c: x.c * pow10(x.e + 2), e: -2 };
    }
    return { c: shiftRound(x.c, -2 - x.e, mode, false), e: -2 };
  }

  // scoring._score: clamp to [0, weight], 0.01 half-up, never above the weight.
  function score(raw, weight) {
    var clamped = min(max(raw, ZERO), weight);
    var rounded = quantize(clamped, "half_up");
    if (cmp(rounded, weight) > 0) {
      rounded = quantize(clamped, "down");
    }
    return rounded;
  }

  // Text as the server reads it (services._decimal): commas and spaces dropped, at most
  // ``places`` decimals as typed; null when empty or refused.
  function parse(text, places, allowNegative) {
    var cleaned = (text || "").trim().replace(/[,，]/g, "");
    var match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(cleaned);
    if (!match || (match[2] + (match[3] || "")) === "") {
      return null;
    }
    var decimals = match[3] || "";
    if (decimals.length > places) {
      return null;
    }
    var c = BigInt((match[1] === "-" ? "-" : "") + (match[2] + decimals || "0"));
    if (c < 0n && !allowNegative) {
      return null;
    }
    return { c: c, e: -decimals.length };
  }

  function fromRule(text) {
    return parse(String(text), 28, false);
  }

  // A value with e = -2 as "99.70".
  function fixed2(x) {
    var text = abs(x.c).toString().padStart(3, "0");
    return (x.c < 0n ? "-" : "") + text.slice(0, -2) + "." + text.slice(-2);
  }

  // Places of a value once its trailing zeros are dropped (score_qualitative's test).
  function significantPlaces(x) {
    if (x.c === 0n || x.e >= 0) {
      return 0;
    }
    var text = abs(x.c).toString();
    var places = -x.e;
    while (places > 0 && text.charAt(text.length - 1) === "0") {
      text = text.slice(0, -1);
      places -= 1;
    }
    return places;
  }

  // The rules of workflow/scoring.py -------------------------------------------------------

  function executionRate(budget, executed) {
    if (budget === null || executed === null || budget.c === 0n) {
      return null;
    }
    return div(executed, budget);
  }

  function quantitative(nature, target, actual, weight) {
    var raw;
    if (nature === ">=") {
      if (cmp(actual, target) >= 0) {
        raw = weight;
      } else {
        raw = target.c === 0n ? ZERO : mul(div(actual, target), weight);
      }
    } else if (nature === "<=") {
      if (cmp(actual, target) <= 0) {
        raw = weight;
      } else if (target.c === 0n || cmp(actual, mul(TWO, target)) >= 0) {
        raw = ZERO;
      } else {
        raw = mul(sub(ONE, div(sub(actual, target), target)), weight);
      }
    } else {
      if (cmp(actual, target) === 0) {
        raw = weight;
      } else {
        var low = min(actual, target);
        var high = max(actual, target);
        raw = cmp(high, ZERO) <= 0 ? ZERO : mul(div(low, high), weight);
      }
    }
    return score(raw, weight);
  }

  function qualitative(rules, band, given, weight) {
    var bounds = rules.bands[band];
    if (!bounds || given === null || significantPlaces(given) > 2) {
      return null;
    }
    var low = mul(fromRule(bounds[0]), weight);
    var high = mul(fromRule(bounds[1]), weight);
    var inside = cmp(low, given) <= 0 && (bounds[2] ? cmp(given, high) <= 0 : cmp(given, high) < 0);
    return inside ? quantize(given, "half_up") : null;
  }

  function deviationRequired(rules, target, actual) {
    if (target.c === 0n) {
      return actual.c !== 0n;
    }
    var ratio = div({ c: abs(sub(actual, target).c), e: sub(actual, target).e }, { c: abs(target.c), e: target.e });
    return cmp(ratio, fromRule(rules.deviation)) >= 0;
  }

  function grade(rules, total) {
    for (var i = 0; i < rules.grades.length; i += 1) {
      if (cmp(total, fromRule(rules.grades[i][0])) >= 0) {
        return rules.grades[i][1];
      }
    }
    return rules.lowest_grade;
  }

  // The page -------------------------------------------------------------------------------

  function field(scope, suffix) {
    return scope.querySelector("[name$='-" + suffix + "']");
  }

  function value(element) {
    return element ? element.value : "";
  }

  // A row's 指标性质 or 年度指标值: its field, or, when the target is approved and shown
  // read-only, the row's data-nature / data-target.
  function rowValue(row, suffix) {
    var element = field(row, suffix);
    return element ? element.value : (row.getAttribute("data-" + suffix) || "");
  }

  function fundingRate(form, kind) {
    var budget = form.querySelector("[name='funding-" + kind + "-annual_budget']");
    var executed = form.querySelector("[name='funding-" + kind + "-executed']");
    return executionRate(parse(value(budget), 4, false), parse(value(executed), 4, false));
  }

  function percentText(rate) {
    return rate === null ? "—" : fixed2(quantize(mul(rate, HUNDRED), "half_up")) + "%";
  }

  function rowScore(form, rules, row, weight) {
    if (value(field(row, "applicable")) === "no") {
      return null;
    }
    if (row.getAttribute("data-kind") === rules.execution_rate) {
      var rate = fundingRate(form, "total");
      return rate === null ? null : score(mul(rate, weight), weight);
    }
    var nature = rowValue(row, "nature");
    if (nature === rules.qualitative) {
      var bandField = field(row, "band");
      var scoreField = field(row, "score");
      if (!bandField || !bandField.value) {
        return null;
      }
      var given = qualitative(rules, bandField.value, parse(value(scoreField), 2, false), weight);
      if (scoreField) {
        scoreField.classList.toggle("is-invalid", scoreField.value.trim() !== "" && given === null);
      }
      return given;
    }
    var target = parse(rowValue(row, "target"), 4, false);
    var actual = parse(value(field(row, "actual")), 4, false);
    if (!nature || target === null || actual === null) {
      return null;
    }
    return quantitative(nature, target, actual, weight);
  }

  function showNature(rules, row) {
    var box = row.querySelector("[data-qualitative]");
    var output = row.querySelector("output[data-score]");
    if (!box || !output) {
      return;
    }
    var isQualitative = rowValue(row, "nature") === rules.qualitative;
    box.hidden = !isQualitative;
    output.hidden = isQualitative;
  }

  function markDeviation(rules, row) {
    var reason = field(row, "deviation_reason");
    if (!reason || (!field(row, "nature") && !row.hasAttribute("data-nature"))) {
      return;
    }
    var target = parse(rowValue(row, "target"), 4, false);
    var actual = parse(value(field(row, "actual")), 4, false);
    var needed = rowValue(row, "nature") !== rules.qualitative && target !== null && actual !== null &&
      deviationRequired(rules, target, actual) && reason.value.trim() === "";
    reason.classList.toggle("is-invalid", needed);
  }

  function update(form, rules) {
    form.querySelectorAll("output[data-rate]").forEach(function (output) {
      output.textContent = percentText(fundingRate(form, output.getAttribute("data-rate")));
    });
    var weights = ZERO;
    var scores = ZERO;
    var complete = true;
    var applicable = 0;
    form.querySelectorAll("tr[data-weight]").forEach(function (row) {
      var weight = fromRule(row.getAttribute("data-weight"));
      showNature(rules, row);
      markDeviation(rules, row);
      var result = rowScore(form, rules, row, weight);
      var output = row.querySelector("output[data-score]");
      if (output) {
        output.textContent = result === null ? "—" : fixed2(result);
      }
      if (value(field(row, "applicable")) === "no") {
        return;
      }
      applicable += 1;
      weights = add(weights, weight);
      if (result === null) {
        complete = false;
      } else {
        scores = add(scores, result);
      }
    });
    var totalText = "—";
    var gradeText = "";
    if (complete && applicable > 0 && weights.c !== 0n) {
      var total = score(div(mul(scores, fromRule(rules.full_marks)), weights), fromRule(rules.full_marks));
      totalText = fixed2(total);
      gradeText = grade(rules, total);
    }
    var totalOutput = document.querySelector("[data-total]");
    var gradeOutput = document.querySelector("[data-grade]");
    if (totalOutput) {
      totalOutput.textContent = totalText;
    }
    if (gradeOutput) {
      gradeOutput.textContent = gradeText;
      gradeOutput.hidden = gradeText === "";
    }
  }

  function start() {
    var form = document.querySelector("form[data-selfeval]");
    if (!form || typeof BigInt === "undefined") {
      return; // without the script the server's figures stay as they were rendered
    }
    var rules = JSON.parse(form.getAttribute("data-rules"));
    var refresh = function () {
      update(form, rules);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
